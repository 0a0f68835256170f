import { describe, expect, it } from 'vitest';
import type { WorkloadRecord } from '../lab/workload.js';
import { dataLossOf, lossFromLog, measureRecovery, rpoGapsText } from './measure.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const ack = (s: number, cluster = 'b'): WorkloadRecord => ({
  type: 'ack',
  seq: s,
  ref: `r${s}`,
  id: String(s),
  at: t(s),
  cluster,
});
const fail = (s: number): WorkloadRecord => ({
  type: 'fail',
  seq: s,
  ref: `r${s}`,
  at: t(s),
  cluster: 'a',
  error: 'down',
});

describe('measureRecovery', () => {
  it('finds the first write followed by sustained success', () => {
    const recs = [
      ack(0, 'a'),
      fail(10),
      ack(12),
      fail(13),
      ...[20, 21, 22, 23, 24, 25].map((s) => ack(s)),
    ];
    const r = measureRecovery(recs, new Date(t(10)), { sustainMs: 4000, minWrites: 3 });
    expect(r.rtoSeconds).toBe(10);
  });

  it('ignores writes on the old cluster when one is named', () => {
    const recs = [
      ack(10, 'a'),
      ack(11, 'a'),
      ack(12, 'a'),
      ack(13, 'a'),
      ack(14, 'a'),
      ack(30, 'b'),
      ack(31, 'b'),
      ack(32, 'b'),
      ack(33, 'b'),
      ack(35, 'b'),
    ];
    const r = measureRecovery(recs, new Date(t(5)), {
      cluster: 'b',
      sustainMs: 2000,
      minWrites: 2,
    });
    expect(r.rtoSeconds).toBe(25);
  });

  it('reports no recovery when success is never sustained', () => {
    const recs = [ack(12), fail(13), ack(14)];
    expect(measureRecovery(recs, new Date(t(10))).recoveredAt).toBeUndefined();
  });
});

describe('dataLossOf (RPO)', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 10) + ms).toISOString();
  const w = (ms: number): Extract<WorkloadRecord, { type: 'ack' }> => ({
    type: 'ack',
    seq: ms,
    ref: `r${ms}`,
    id: String(ms),
    at: at(ms),
    cluster: 'a',
  });

  it('GIVEN a PITR whose lost writes were acknowledged after T0 THEN RPO spans restore target → newest lost, never 0 s', () => {
    const restoreTarget = new Date(at(0));
    const acks = [w(-500), w(-100), w(200), w(250), w(300)];
    const present = new Set(['r-500', 'r-100']);
    const loss = dataLossOf(acks, present, { recoveryPoint: restoreTarget });
    expect(loss.lost).toBe(3);
    expect(loss.rpoSeconds).toBeCloseTo(0.3, 6);
    expect(loss.rpoDefinition).toContain('restore target');
  });

  it('never reports 0 s beside a loss, and 0 s only when nothing is lost', () => {
    const t = new Date(at(0));
    const one = dataLossOf([w(0)], new Set(), { recoveryPoint: t });
    expect(one.lost).toBe(1);
    expect(one.rpoSeconds).toBeGreaterThan(0);
    expect(dataLossOf([w(0)], new Set(['r0']), { recoveryPoint: t }).rpoSeconds).toBe(0);
  });

  it('GIVEN a failover THEN RPO spans the newest surviving write before the first loss → the newest lost write', () => {
    // Survived: 0, 100, 200 ms (and 900, written on the new primary); lost: 250…600 ms.
    const acks = [w(0), w(100), w(200), w(250), w(400), w(600), w(900)];
    const loss = dataLossOf(acks, new Set(['r0', 'r100', 'r200', 'r900']));
    expect(loss.lost).toBe(3);
    expect(loss.rpoSeconds).toBeCloseTo(0.4, 6);
    expect(loss.rpoDefinition).toContain('survived before the first lost one');
  });
});

describe('lossFromLog (RPO resolution and upper bound)', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 10) + ms).toISOString();
  const restoreTarget = new Date(at(0));
  let seq = 0;
  const ack = (ms: number, door: number, task: string, cluster = 'old'): WorkloadRecord => ({
    type: 'ack',
    seq: ++seq,
    ref: `r${ms}`,
    id: String(ms),
    at: at(ms),
    cluster,
    task,
    door,
  });
  const refused = (ms: number, door: number, task: string): WorkloadRecord => ({
    type: 'refused',
    seq: ++seq,
    at: at(ms),
    reason: 'global_readonly',
    task,
    door,
  });
  const noAnswer = (ms: number, door?: number): WorkloadRecord => ({
    type: 'fail',
    seq: ++seq,
    ref: `f${ms}`,
    at: at(ms),
    cluster: '?',
    error: 'fetch failed',
    ...(door === undefined ? {} : { door }),
  });
  // The PITR drill's workload: two app tasks in turn (door 0 = a-1, door 1 = a-2), one request
  // every ~50 ms, so each task is asked every ~100 ms. The restore target is at 0 ms.
  const log: WorkloadRecord[] = [
    ack(-150, 0, 'a-1'),
    ack(-100, 1, 'a-2'),
    ack(60, 0, 'a-1'), // lost
    ack(110, 1, 'a-2'), // lost
    ack(160, 0, 'a-1'), // lost: a-1's last ack on the old cluster
    ack(210, 1, 'a-2'), // lost: a-2's last, the newest lost write
    noAnswer(265, 0), // a-1 did not answer: its next request all the same
    refused(300, 1, 'a-2'), // a-2 frozen
    refused(350, 0, 'a-1'),
    { type: 'switch', at: at(380), cluster: 'new' },
    ack(400, 1, 'a-2', 'new'),
    ack(450, 0, 'a-1', 'new'),
  ];
  const kept = new Set(['r-150', 'r-100', 'r400', 'r450']);

  it('GIVEN per-task gaps at the freeze THEN resolution is the largest, the bound runs to the latest end, RPO unchanged', () => {
    const loss = lossFromLog(log, kept, { oldCluster: 'old', recoveryPoint: restoreTarget });
    expect(loss.lost).toBe(4);
    expect(loss.rpoSeconds).toBeCloseTo(0.21, 6); // restore target → newest lost ack (a-2, 210 ms)
    expect(loss.rpoGaps).toEqual([
      { task: 'a-1', lastAckAt: at(160), nextAt: at(265), next: 'fail', seconds: 0.105 },
      // the unanswered request at 265 ms went to door 0 (a-1): it does not end a-2's gap
      { task: 'a-2', lastAckAt: at(210), nextAt: at(300), next: 'refused', seconds: 0.09 },
    ]);
    expect(loss.rpoResolutionSeconds).toBeCloseTo(0.105, 6);
    expect(loss.rpoUpperBoundSeconds).toBeCloseTo(0.3, 6); // restore target → a-2 refused at 300
    expect(loss.rpoUpperBoundSeconds!).toBeGreaterThanOrEqual(loss.rpoSeconds);
    expect(loss.rpoResolutionDefinition).toContain('next request');
    expect(loss.rpoUpperBoundDefinition).toContain(`recovery point (${at(0)})`);
    expect(rpoGapsText(loss.rpoGaps)).toBe(
      `a-1 ${at(160)} → fail ${at(265)} (0.105 s); a-2 ${at(210)} → refused ${at(300)} (0.090 s)`,
    );
  });

  it('GIVEN a run that lost nothing THEN RPO is 0 s and the upper bound is still stated', () => {
    const all = new Set(log.flatMap((r) => (r.type === 'ack' ? [r.ref] : [])));
    const pitr = lossFromLog(log, all, { oldCluster: 'old', recoveryPoint: restoreTarget });
    expect(pitr.lost).toBe(0);
    expect(pitr.rpoSeconds).toBe(0);
    expect(pitr.rpoResolutionSeconds).toBeCloseTo(0.105, 6);
    expect(pitr.rpoUpperBoundSeconds).toBeCloseTo(0.3, 6);
    // a failover that lost nothing: from the newest write acknowledged on the old cluster
    const failover = lossFromLog(log, all, { oldCluster: 'old' });
    expect(failover.rpoSeconds).toBe(0);
    expect(failover.rpoUpperBoundSeconds).toBeCloseTo(0.09, 6); // 210 → 300 ms
    expect(failover.rpoUpperBoundDefinition).toContain('nothing was lost');
  });

  it("GIVEN one front door THEN a request no task answered ends every task's gap, and a task never asked again runs to the end of the log", () => {
    const strip = (r: WorkloadRecord): WorkloadRecord => {
      if (r.type === 'switch') return r;
      const rest: Record<string, unknown> = { ...r };
      delete rest.door;
      return rest as WorkloadRecord;
    };
    // region A killed after 210 ms: every later request fails unanswered, then B answers
    const frontDoor = [...log.slice(0, 6), noAnswer(265), noAnswer(330)].map(strip);
    const loss = lossFromLog(
      [...frontDoor, strip(ack(400, 1, 'b-1', 'new'))],
      new Set(['r-150', 'r-100', 'r60', 'r400']),
      { oldCluster: 'old' },
    );
    // failover: recovery point = the newest surviving write before the first lost one (60 ms)
    expect(loss.rpoSeconds).toBeCloseTo(0.15, 6);
    expect(loss.rpoGaps.map((g) => [g.task, g.nextAt])).toEqual([
      ['a-1', at(265)],
      ['a-2', at(265)],
    ]);
    expect(loss.rpoResolutionSeconds).toBeCloseTo(0.105, 6);
    expect(loss.rpoUpperBoundSeconds).toBeCloseTo(0.205, 6); // 60 → 265 ms
    const open = lossFromLog(log.slice(0, 6), new Set(), {
      oldCluster: 'old',
      recoveryPoint: restoreTarget,
    });
    expect(open.rpoGaps.map((g) => g.next)).toEqual(['none', 'none']);
    expect(open.rpoUpperBoundSeconds).toBeCloseTo(0.21, 6);
  });
});
