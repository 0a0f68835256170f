import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardData, drillHistory, lagSection, verifySection } from './dashboard-data.js';
import { judge, type DrillReport } from './drill-report.js';
import type { StoredReport } from './evidence.js';
import {
  readVerifyRecord,
  verifyRecordPath,
  writeVerifyRecord,
  type VerifyRecord,
} from './verify-record.js';

const now = new Date('2026-12-01T12:00:00.000Z');
function stored(
  scenario: string,
  startedAt: string,
  a: Partial<DrillReport['achieved']> = {},
  targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 },
): StoredReport {
  const achieved = { rtoSeconds: 4, rpoSeconds: 0.5, lostWrites: 1, acknowledgedWrites: 9, ...a };
  const report: DrillReport = {
    scenario,
    drillId: `${scenario}-${startedAt}`,
    title: `${scenario} drill`,
    startedAt,
    endedAt: startedAt,
    outcome: 'passed',
    targets,
    achieved,
    ...judge(targets, achieved),
    events: [],
    spans: [],
    facts: {},
    followUps: [],
  };
  return { report, markdown: `${scenario}-${startedAt.slice(0, 10)}.md`, quarter: '2026-Q4' };
}
const record = (checks: VerifyRecord['checks']): VerifyRecord => ({
  checkedAt: '2026-12-01T09:00:00.000Z',
  provider: 'lab',
  policy: { maxBackupAgeHours: 26, minWindowDays: 7, rpoTargetSeconds: 300 },
  checks,
});
const check = (id: string, status: 'pass' | 'warn' | 'fail') => ({
  id,
  subject: 'cluster region-a',
  status,
  value: `${id} value`,
  reason: `${id} reason`,
});

describe('drillHistory: the points of each scenario chart', () => {
  it("GIVEN drills of two scenarios out of order WHEN grouped THEN each scenario's drills are oldest first, with each drill's own targets in seconds", () => {
    const h = drillHistory([
      stored('pitr', '2026-11-30T00:00:00.000Z', { rtoSeconds: 5 }),
      stored('s3-restore', '2026-11-01T00:00:00.000Z'),
      stored(
        'pitr',
        '2026-11-01T00:00:00.000Z',
        { rtoSeconds: 3, rpoUpperBoundSeconds: 2 },
        {
          rtoTargetMinutes: 60,
          rpoTargetSeconds: 60,
        },
      ),
    ]);
    expect(h.map((x) => x.scenario)).toEqual(['pitr', 's3-restore']);
    expect(h[0]!.drills.map((d) => [d.rtoSeconds, d.rtoTargetSeconds, d.rpoTargetSeconds])).toEqual(
      [
        [3, 3600, 60],
        [5, 1800, 300],
      ],
    );
    expect(h[0]!.drills[0]).toMatchObject({
      rpoUpperBoundSeconds: 2,
      report: 'pitr-2026-11-01.md',
    });
    expect(h[0]!.drills[1]!.rpoUpperBoundSeconds).toBeUndefined();
  });

  it('GIVEN a drill that never recovered WHEN grouped THEN its RTO stays undefined (a gap, not 0)', () => {
    const [h] = drillHistory([
      stored('pitr', '2026-11-30T00:00:00.000Z', { rtoSeconds: undefined }),
    ]);
    expect(h!.drills[0]!.rtoSeconds).toBeUndefined();
  });
});

describe('verifySection: the latest verify result and its lag and age figures', () => {
  it('GIVEN a record WHEN read THEN its age, counts and lag/age checks (in record order) are given', () => {
    const v = verifySection(
      {
        kind: 'record',
        file: '/s/posture/verify-latest.json',
        record: record([
          check('pgbackrest.check', 'pass'),
          check('backup.age', 'pass'),
          check('recovery.window', 'fail'),
          check('replication.lag', 'warn'),
        ]),
      },
      now,
    );
    expect(v).toMatchObject({ kind: 'record', ageHours: 3, counts: { pass: 2, warn: 1, fail: 1 } });
    expect(v.kind === 'record' && v.lagAndAge.map((c) => c.id)).toEqual([
      'backup.age',
      'recovery.window',
      'replication.lag',
    ]);
  });

  it('GIVEN no record or a malformed one WHEN read THEN it says so with the file', () => {
    expect(verifySection({ kind: 'none', file: '/x' }, now)).toEqual({ kind: 'none', file: '/x' });
    expect(verifySection({ kind: 'malformed', file: '/x', reason: 'r' }, now)).toEqual({
      kind: 'malformed',
      file: '/x',
      reason: 'r',
    });
  });
});

describe('verify record: written by drkit verify, read by the dashboard', () => {
  it('GIVEN a written record WHEN read back THEN it is the same; GIVEN none THEN none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-verify-record-'));
    expect(readVerifyRecord(dir)).toEqual({ kind: 'none', file: verifyRecordPath(dir) });
    const r = record([check('backup.age', 'pass')]);
    expect(writeVerifyRecord(dir, r)).toBe(verifyRecordPath(dir));
    expect(readVerifyRecord(dir)).toEqual({
      kind: 'record',
      file: verifyRecordPath(dir),
      record: r,
    });
  });

  it('GIVEN a truncated file or a check with an unknown status WHEN read THEN malformed, with the reason', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-verify-record-'));
    mkdirSync(path.dirname(verifyRecordPath(dir)), { recursive: true });
    writeFileSync(verifyRecordPath(dir), '{"checkedAt": ');
    expect(readVerifyRecord(dir)).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^not JSON: /),
    });
    writeFileSync(
      verifyRecordPath(dir),
      JSON.stringify(record([{ ...check('backup.age', 'pass'), status: 'ok' as 'pass' }])),
    );
    expect(readVerifyRecord(dir)).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^checks\.0\.status: /),
    });
  });
});

describe('dashboardData', () => {
  it('GIVEN evidence, skipped files and no verify record WHEN assembled THEN matrix, history and warnings come from the same evidence', () => {
    const d = dashboardData({
      now,
      evidenceDir: '/e',
      components: {
        database: {
          tier: 1,
          rtoTargetMinutes: 1,
          rpoTargetSeconds: 1,
          scenarios: ['pitr'],
          description: 'db',
        },
        search: {
          tier: 2,
          rtoTargetMinutes: 15,
          rpoTargetSeconds: 300,
          scenarios: ['search-loss'],
          description: 'search',
        },
      },
      maxDrillAgeDays: 92,
      reports: [stored('pitr', '2026-11-30T00:00:00.000Z', { rtoSeconds: 90 })],
      skipped: [{ file: 'bad.json', reason: 'not JSON: x' }],
      verify: { kind: 'none', file: '/s/posture/verify-latest.json' },
    });
    expect(d.generatedAt).toBe(now.toISOString());
    expect(d.matrix.map((r) => [r.component, r.flags])).toEqual([
      ['database', ['RTO target missed']],
      ['search', ['never drilled']],
    ]);
    expect(d.history.map((h) => [h.scenario, h.drills.length])).toEqual([['pitr', 1]]);
    expect(d.skipped).toEqual([{ file: 'bad.json', reason: 'not JSON: x' }]);
    expect(d.verify.kind).toBe('none');
  });
});

describe('lagSection', () => {
  it('GIVEN samples of a primary and, after a failover, of another WHEN charted THEN series align on the times with gaps where a series has no sample', () => {
    const pt = (at: string, cluster: string, archive: number | undefined, lag: number[]) => ({
      at,
      source: 'metrics',
      cluster,
      ...(archive === undefined ? {} : { archiveLagSeconds: archive }),
      standbys: lag.map((l) => ({ name: 'region-b', lagSeconds: l, lagBytes: 10 })),
    });
    const s = lagSection(
      {
        file: '/s/posture/lag-history.jsonl',
        skippedLines: 1,
        points: [
          pt('2026-12-02T10:00:00.000Z', 'region-a', 3, [0.5]),
          pt('2026-12-02T10:00:10.000Z', 'region-a', 8, [1]),
          pt('2026-12-02T10:00:20.000Z', 'region-b', undefined, []),
        ],
      },
      300,
    );
    const t0 = Date.parse('2026-12-02T10:00:00.000Z') / 1000;
    expect(s.times).toEqual([t0, t0 + 10, t0 + 20]);
    expect(s.archive).toEqual([{ label: 'region-a', values: [3, 8, null] }]);
    expect(s.replica).toEqual([{ label: 'region-a → region-b', values: [0.5, 1, null] }]);
    expect(s).toMatchObject({ samples: 3, omitted: 0, skippedLines: 1, rpoTargetSeconds: 300 });
    expect(s.latest?.cluster).toBe('region-b');
  });
});
