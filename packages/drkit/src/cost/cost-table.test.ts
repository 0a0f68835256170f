import { describe, expect, it } from 'vitest';
import { costTable, renderCostMarkdown, TIERS } from './cost-table.js';

describe('costTable', () => {
  it('GIVEN no tier WHEN computed THEN every tier is priced, cheapest first', () => {
    const all = costTable();
    expect(all.map((t) => t.tier)).toEqual([...TIERS]);
    const totals = all.map((t) => t.totalMonthlyUsd);
    expect(totals[0]).toBeLessThan(totals[1]!);
    expect(totals[1]).toBeLessThan(totals[2]!);
  });

  it('GIVEN warm-standby THEN the total is the sum of its lines and lands in the seed range ($200–500)', () => {
    const [t] = costTable('warm-standby');
    const sum = t!.lines.reduce((a, l) => a + l.monthlyUsd, 0);
    expect(t!.totalMonthlyUsd).toBeCloseTo(sum, 2);
    expect(t!.totalMonthlyUsd).toBeGreaterThan(200);
    expect(t!.totalMonthlyUsd).toBeLessThan(500);
    expect(t!.rto).toContain('15–30 min');
    expect(t!.rpo).toContain('< 1 min');
  });

  it('GIVEN pilot-light THEN region B runs no compute and the RTO is about an hour', () => {
    const [t] = costTable('pilot-light');
    expect(t!.lines.filter((l) => l.region === 'B' && l.priceKey.startsWith('fargate'))).toEqual(
      [],
    );
    expect(t!.rto).toContain('1–1.5 h');
  });

  it('GIVEN an override WHEN computed THEN lines using that price change and nothing else', () => {
    const base = costTable('active-active')[0]!;
    const cheap = costTable('active-active', { natHour: 0 })[0]!;
    const natBase = base.lines
      .filter((l) => l.priceKey === 'natHour')
      .reduce((a, l) => a + l.monthlyUsd, 0);
    expect(base.totalMonthlyUsd - cheap.totalMonthlyUsd).toBeCloseTo(natBase, 2);
  });

  it.each([
    [() => costTable('cold' as never), 'unknown tier "cold"'],
    [() => costTable(undefined, { nope: 1 } as never), 'unknown unit price "nope"'],
    [
      () => costTable(undefined, { albHour: -1 }),
      'unit price "albHour" must be a non-negative number',
    ],
  ])('GIVEN bad input WHEN computed THEN it fails clearly (%#)', (fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('renderCostMarkdown', () => {
  it('GIVEN the tables WHEN rendered THEN it has the summary, the lines and the assumptions', () => {
    const md = renderCostMarkdown(costTable(undefined, { albHour: 0.03 }), { albHour: 0.03 });
    expect(md).toContain('| tier | total / month | of which region B | RTO | RPO |');
    expect(md).toMatch(/\| warm-standby \| \$\d+\.\d\d \|/);
    expect(md).toContain('## Unit-price assumptions');
    expect(md).toContain('Application Load Balancer (override) | ALB-hour | 0.03 |');
    expect(md).toContain('assumptions to check against the AWS Price List');
  });
});
