import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drillPlan } from './drill-plan.js';
import { judge, writeDrillReport, type DrillReport } from './drill-report.js';
import { drChecklist, followUpStatus, readStoredReports, type StoredReport } from './evidence.js';
import { postMortemCompleted } from './postmortem.js';

const targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 };
function drill(
  scenario: string,
  startedAt: string,
  o: {
    followUps?: string[];
    steps?: string[];
    outcome?: DrillReport['outcome'];
    incident?: DrillReport['incident'];
  } = {},
): DrillReport {
  const achieved = { rtoSeconds: 2.5, rpoSeconds: 0.2, lostWrites: 3, acknowledgedWrites: 100 };
  const t = Date.parse(startedAt);
  return {
    scenario,
    drillId: `${scenario}-${t}`,
    title: `${scenario} drill`,
    startedAt,
    endedAt: new Date(t + 60_000).toISOString(),
    outcome: o.outcome ?? 'passed',
    targets,
    achieved,
    ...judge(targets, achieved),
    events: [{ name: 'T0', at: new Date(t + 10_000).toISOString() }],
    spans: (o.steps ?? ['notify']).map((name, i) => ({
      name,
      start: new Date(t + 11_000 + i * 100).toISOString(),
      end: new Date(t + 11_050 + i * 100).toISOString(),
      outcome: 'succeeded' as const,
      durationMs: 50,
      kind: 'step' as const,
    })),
    facts: {},
    followUps: o.followUps ?? [],
    ...(o.incident ? { incident: o.incident } : {}),
  };
}
const stored = (r: DrillReport, md: string): StoredReport => ({
  report: r,
  markdown: md,
  quarter: `${r.startedAt.slice(0, 4)}-Q${Math.floor(Number(r.startedAt.slice(5, 7)) / 3 - 0.01) + 1}`,
});

describe('evidence: follow-ups, checklist, plan, post-mortem, quarterly file', () => {
  it('carries an open follow-up until a later drill of the same kind no longer raises it', () => {
    const a = stored(drill('pitr', '2026-02-01T00:00:00.000Z', { followUps: ['x', 'y'] }), 'a.md');
    const b = stored(drill('pitr', '2026-11-01T00:00:00.000Z', { followUps: ['y', 'z'] }), 'b.md');
    const s3 = stored(drill('s3-restore', '2026-11-02T00:00:00.000Z'), 'c.md');
    expect(followUpStatus([a, b, s3])).toEqual([
      { text: 'x', raisedBy: 'a.md', closedBy: 'b.md' },
      { text: 'y', raisedBy: 'b.md', closedBy: undefined },
      { text: 'z', raisedBy: 'b.md', closedBy: undefined },
    ]);
  });

  it("ticks seed 003's checklist from evidence only, citing the report, and says why an item is not ticked", () => {
    const reports = [
      stored(drill('pitr', '2026-11-01T00:00:00.000Z'), 'pitr.md'),
      stored(drill('pitr', '2026-11-03T00:00:00.000Z', { outcome: 'failed' }), 'pitr-failed.md'),
      stored(
        drill('region-failover', '2026-11-02T00:00:00.000Z', {
          steps: ['flip-routing', 'notify-done'],
        }),
        'region.md',
      ),
    ];
    const c = Object.fromEntries(drChecklist(reports).map((i) => [i.item, i]));
    expect(c['Database point-in-time recovery tested']).toMatchObject({
      done: true,
      evidence: 'pitr.md',
    });
    expect(c['DNS failover tested']).toMatchObject({ done: true, evidence: 'region.md' });
    expect(c['S3 object recovery tested']!.done).toBe(false);
    expect(c['Secret rotation tested']).toMatchObject({ done: false });
    expect(c['Lambda rollback tested']!.done).toBe(false);
    expect(c['Recovery time recorded']).toMatchObject({ done: true, evidence: 'pitr-failed.md' });
    // a notification step is not the communication plan: no report here declared an incident
    expect(c['Communication plan executed']!.done).toBe(false);
    const incident = (failed: boolean): DrillReport['incident'] => ({
      id: 'INC-1',
      severity: 'SEV1',
      level: 'SEV1',
      status: 'monitoring',
      escalations: 0,
      timeline: [
        { at: '2026-11-04T00:00:00.000Z', type: 'opened', note: 'SEV1' },
        { at: '2026-11-04T00:00:00.100Z', type: 'notified', who: 'CTO', channel: 'log', note: 's' },
        ...(failed
          ? [
              {
                at: '2026-11-04T00:00:00.200Z',
                type: 'notify-failed',
                who: 'Eng Lead',
                note: '404',
              },
            ]
          : []),
      ],
    });
    const told = stored(
      drill('pitr', '2026-11-04T00:00:00.000Z', { incident: incident(false) }),
      'told.md',
    );
    const half = stored(
      drill('pitr', '2026-11-05T00:00:00.000Z', { incident: incident(true) }),
      'half.md',
    );
    expect(
      drChecklist([...reports, told, half]).find((i) => i.item === 'Communication plan executed'),
    ).toMatchObject({ done: true, evidence: 'told.md' });
    expect(c['Post-mortem completed']!.done).toBe(false);
    expect(
      drChecklist(reports, ['pitr.postmortem.md']).find((i) => i.item === 'Post-mortem completed'),
    ).toMatchObject({ done: true, evidence: 'pitr.postmortem.md' });
  });

  it("shows the seeds' calendar as done, done late, due, overdue or planned from the reports", () => {
    const reports = [
      stored(drill('pitr', '2026-11-01T00:00:00.000Z'), 'pitr.md'),
      stored(drill('s3-restore', '2026-11-02T00:00:00.000Z'), 's3.md'),
    ];
    expect(
      drillPlan(2026, '2026-Q4', reports).map((p) => [p.quarter, p.status, p.evidence]),
    ).toEqual([
      ['2026-Q1', 'done late', 'pitr.md'],
      ['2026-Q2', 'overdue', undefined],
      ['2026-Q3', 'overdue', undefined],
      ['2026-Q4', 'done', 's3.md'],
    ]);
    expect(drillPlan(2027, '2027-Q1', reports).map((p) => p.status)).toEqual([
      'due',
      'planned',
      'planned',
      'planned',
    ]);
  });

  it('a post-mortem is completed only when every follow-up has an owner', () => {
    const md = '## Follow-ups\n\n| follow-up | owner | due |\n|---|---|---|\n| fix x |  |  |\n';
    expect(postMortemCompleted(md)).toBe(false);
    expect(postMortemCompleted(md.replace('| fix x |  |', '| fix x | dba-team |'))).toBe(true);
  });

  it('every drill writes its post-mortem draft and regenerates the quarter file from all reports', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-evidence-'));
    const first = writeDrillReport(
      dir,
      drill('pitr', '2026-10-01T00:00:00.000Z', { followUps: ['reconcile lost writes'] }),
    );
    const pm = readFileSync(first.postMortem, 'utf8');
    expect(pm).toContain('| reconcile lost writes |  |  |');
    expect(pm).toContain('3 acknowledged writes lost');
    expect(path.basename(first.quarterly)).toBe('2026-Q4.md');
    expect(readFileSync(first.quarterly, 'utf8')).toContain(
      '- [ ] reconcile lost writes — raised by [2026-Q4-pitr-20261001T000000Z.md]',
    );
    const second = writeDrillReport(dir, drill('pitr', '2026-11-01T00:00:00.000Z'));
    const q = readFileSync(second.quarterly, 'utf8');
    expect(q).toContain(
      '| pitr drill | 2026-11-01T00:00:00.000Z → 2026-11-01T00:01:00.000Z | PASSED | 2.50 s / 1800 s | -1797.50 s | 0.20 s / 300 s | -299.80 s | 3 of 100 |',
    );
    expect(q).toContain(
      '- [x] reconcile lost writes — raised by [2026-Q4-pitr-20261001T000000Z.md](2026-Q4-pitr-20261001T000000Z.md), closed: not raised again by [2026-Q4-pitr-20261101T000000Z.md]',
    );
    expect(q).toMatch(
      /- \[x\] Database point-in-time recovery tested — \[2026-Q4-pitr-20261101T000000Z\.md\]/,
    );
    expect(q).toContain('- [ ] Post-mortem completed');
    // A review fills the owners in: the next regeneration ticks the post-mortem.
    writeFileSync(
      second.postMortem,
      readFileSync(second.postMortem, 'utf8').replace('| none |  |', '| none | dr-lead |'),
    );
    const third = writeDrillReport(dir, drill('s3-restore', '2026-11-05T00:00:00.000Z'));
    expect(readFileSync(third.quarterly, 'utf8')).toContain(
      '- [x] Post-mortem completed — [2026-Q4-pitr-20261101T000000Z.postmortem.md]',
    );
    expect(readStoredReports(dir)).toHaveLength(3);
  });
});
