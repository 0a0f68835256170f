import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, type DrillReport } from './drill-report.js';
import { readEvidence, readStoredReports, type StoredReport } from './evidence.js';
import { DEFAULT_MATRIX, drMatrix, renderMatrix, type MatrixComponent } from './matrix.js';

const now = new Date('2026-12-01T12:00:00.000Z');
function report(
  scenario: string,
  startedAt: string,
  a: Partial<DrillReport['achieved']> = {},
  outcome: DrillReport['outcome'] = 'passed',
): DrillReport {
  const targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 };
  const achieved = {
    rtoSeconds: 4,
    rpoSeconds: 0.5,
    lostWrites: 3,
    acknowledgedWrites: 200,
    ...a,
  };
  return {
    scenario,
    drillId: `${scenario}-${startedAt}`,
    title: `${scenario} drill`,
    startedAt,
    endedAt: startedAt,
    outcome,
    targets,
    achieved,
    ...judge(targets, achieved),
    events: [],
    spans: [],
    facts: {},
    followUps: [],
  };
}
const stored = (r: DrillReport): StoredReport => ({
  report: r,
  markdown: `${r.drillId}.md`,
  quarter: '2026-Q4',
});
const one = (c: Partial<MatrixComponent> = {}) => ({
  db: {
    tier: 1,
    rtoTargetMinutes: 1,
    rpoTargetSeconds: 1,
    scenarios: ['pitr', 'region-failover'],
    description: 'db',
    ...c,
  },
});

describe('drMatrix: targets against the newest drill of each component', () => {
  it('takes the newest report of any of the component scenarios and compares it with the component target', () => {
    const rows = drMatrix(
      one(),
      [
        stored(report('pitr', '2026-11-20T00:00:00.000Z', { rtoSeconds: 3 })),
        stored(report('region-failover', '2026-11-25T00:00:00.000Z', { rtoSeconds: 75 })),
        stored(report('s3-restore', '2026-11-30T00:00:00.000Z')),
      ],
      { now, maxDrillAgeDays: 92 },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lastDrill).toMatchObject({
      scenario: 'region-failover',
      rtoSeconds: 75,
      ageDays: 6.5,
      lostWrites: 3,
      acknowledgedWrites: 200,
    });
    expect(rows[0]!.flags).toEqual(['RTO target missed']);
  });

  it('flags each other scenario of the component that was never drilled or is too old', () => {
    const rows = drMatrix(
      one({ scenarios: ['pitr', 'region-failover', 'switchover'] }),
      [
        stored(report('pitr', '2026-05-01T00:00:00.000Z')),
        stored(report('region-failover', '2026-11-25T00:00:00.000Z')),
      ],
      { now, maxDrillAgeDays: 92 },
    );
    expect(rows[0]!.flags).toEqual(['pitr too old', 'switchover never drilled']);
  });

  it('judges the RPO by its upper bound when the drill measured one (the figure that cannot flatter)', () => {
    const rows = drMatrix(
      one({ scenarios: ['pitr'] }),
      [
        stored(
          report('pitr', '2026-11-30T00:00:00.000Z', {
            rpoSeconds: 0.4,
            rpoUpperBoundSeconds: 1.3,
          }),
        ),
      ],
      { now, maxDrillAgeDays: 92 },
    );
    expect(rows[0]!.flags).toEqual(['RPO target missed']);
    expect(renderMatrix(rows)).toContain('0.40 s (≤ 1.30 s)');
  });

  it('flags a component never drilled, a drill too old, a failed drill and figures not measured', () => {
    const never = drMatrix(one({ scenarios: ['pitr'] }), [], { now, maxDrillAgeDays: 92 });
    expect(never[0]!.flags).toEqual(['never drilled']);
    expect(renderMatrix(never)).toContain(
      '| db | 1 | 1 min | — | 1 s | — | — | — | never drilled |',
    );
    const old = drMatrix(
      one({ scenarios: ['pitr'] }),
      [
        stored(
          report(
            'pitr',
            '2026-06-01T00:00:00.000Z',
            { rtoSeconds: undefined, rpoSeconds: undefined },
            'failed',
          ),
        ),
      ],
      { now, maxDrillAgeDays: 92 },
    );
    expect(old[0]!.flags).toEqual([
      'drill too old',
      'last drill failed',
      'RTO not measured',
      'RPO not measured',
    ]);
  });

  it("the seeds' default matrix orders components by tier and covers every store the mission names", () => {
    const rows = drMatrix(
      DEFAULT_MATRIX,
      [stored(report('search-loss', '2026-11-30T00:00:00.000Z'))],
      {
        now,
        maxDrillAgeDays: 92,
      },
    );
    expect(rows.map((r) => r.component)).toEqual([
      'database',
      'dns-cdn',
      'key-value',
      'object-storage',
      'payments-webhooks',
      'email',
      'search',
    ]);
    expect(rows.find((r) => r.component === 'search')!.flags).toEqual([]);
    expect(rows.find((r) => r.component === 'key-value')!.flags).toEqual(['never drilled']);
  });
});

describe('readEvidence: a malformed report is named and skipped, the rest read', () => {
  it('skips a file that is not JSON and ones missing a field, with the reason; readStoredReports refuses them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-matrix-'));
    const good = report('pitr', '2026-11-30T00:00:00.000Z');
    writeFileSync(path.join(dir, '2026-Q4-pitr-20261130T000000Z.json'), JSON.stringify(good));
    writeFileSync(path.join(dir, '2026-Q4-pitr-20261129T000000Z.json'), '{"scenario": "pitr", ');
    const noAchieved: Record<string, unknown> = { ...good };
    delete noAchieved['achieved'];
    writeFileSync(
      path.join(dir, '2026-Q4-s3-restore-20261128T000000Z.json'),
      JSON.stringify(noAchieved),
    );
    // The dashboard's and the metrics' target lines read it.
    const noTargets: Record<string, unknown> = { ...good };
    delete noTargets['targets'];
    writeFileSync(
      path.join(dir, '2026-Q4-switchover-20261127T000000Z.json'),
      JSON.stringify(noTargets),
    );
    writeFileSync(path.join(dir, 'notes.json'), 'not a report name: ignored');
    const { reports, skipped } = readEvidence(dir);
    expect(reports.map((r) => r.markdown)).toEqual(['2026-Q4-pitr-20261130T000000Z.md']);
    expect(skipped).toEqual([
      { file: '2026-Q4-pitr-20261129T000000Z.json', reason: expect.stringMatching(/^not JSON: /) },
      {
        file: '2026-Q4-s3-restore-20261128T000000Z.json',
        reason: expect.stringMatching(/^achieved: /),
      },
      {
        file: '2026-Q4-switchover-20261127T000000Z.json',
        reason: expect.stringMatching(/^targets: /),
      },
    ]);
    expect(() => readStoredReports(dir)).toThrow(/2026-Q4-pitr-20261129T000000Z\.json: not JSON/);
  });
});
