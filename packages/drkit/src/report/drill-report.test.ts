import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, quarterOf, writeDrillReport, type DrillReport } from './drill-report.js';

describe('drill report', () => {
  const achieved = { rtoSeconds: 42.5, rpoSeconds: 3.2, lostWrites: 12, acknowledgedWrites: 900 };
  const targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 };
  const report: DrillReport = {
    scenario: 'pitr',
    drillId: 'd1',
    title: 'PITR <test>',
    startedAt: '2026-11-22T01:00:00.000Z',
    endedAt: '2026-11-22T01:02:00.000Z',
    outcome: 'passed',
    targets,
    achieved,
    ...judge(targets, achieved),
    events: [
      { name: 'T0', at: '2026-11-22T01:00:30.000Z' },
      { name: 'recovered', at: '2026-11-22T01:01:12.500Z' },
    ],
    spans: [
      {
        name: 'restore-to-time',
        start: '2026-11-22T01:00:40.000Z',
        end: '2026-11-22T01:00:50.000Z',
        outcome: 'succeeded',
        durationMs: 10000,
        kind: 'step',
      },
    ],
    facts: { restoreTarget: '2026-11-22T01:00:29.000Z' },
    followUps: ['automate detection'],
  };

  it('computes variance and met against targets', () => {
    expect(report.variance).toEqual({ rtoSeconds: 42.5 - 1800, rpoSeconds: 3.2 - 300 });
    expect(report.met).toEqual({ rto: true, rpo: true });
    expect(judge(targets, { ...achieved, rtoSeconds: undefined }).met.rto).toBe(false);
  });

  it('names files by quarter and scenario and writes md, json and an escaped svg', () => {
    expect(quarterOf(new Date('2026-11-22T00:00:00Z'))).toBe('2026-Q4');
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-report-'));
    const files = writeDrillReport(dir, report);
    expect(path.basename(files.markdown)).toBe('2026-Q4-pitr-20261122T010000Z.md');
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('| RTO | 1800 s (30 min) | 42.50 s | -1757.50 s | yes |');
    expect(md).toContain('T0+42.50 s');
    const svg = readFileSync(files.svg, 'utf8');
    expect(svg).toContain('PITR &lt;test&gt;');
    expect(svg).toMatch(/<rect x="[\d.]+" y="\d+" width="[\d.]+"/);
  });

  it('prints the RPO with its upper bound and resolution, and their definitions', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-report-'));
    const bounded = { ...achieved, rpoResolutionSeconds: 0.092, rpoUpperBoundSeconds: 3.31 };
    const files = writeDrillReport(dir, {
      ...report,
      achieved: bounded,
      definitions: {
        rto: 'rto words',
        rpo: 'rpo words',
        rpoResolution: 'the largest per-task gap',
        rpoUpperBound: 'the recovery point → the latest gap end',
      },
    });
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain(
      '| RPO | 300 s | 3.20 s (≤ 3.31 s: the workload left each task unasked for up to 0.09 s) |',
    );
    expect(md).toContain('RPO resolution = the largest per-task gap.');
    expect(md).toContain('RPO upper bound = the recovery point → the latest gap end.');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).achieved).toEqual(bounded);
  });

  it('lists where each figure comes from when the drill names its sources', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-report-'));
    const files = writeDrillReport(dir, {
      ...report,
      sources: { 'RTO, RPO': 'workload log /x/workload.jsonl' },
    });
    expect(readFileSync(files.markdown, 'utf8')).toContain(
      '## Sources\n\n- RTO, RPO: workload log /x/workload.jsonl\n',
    );
  });
});
