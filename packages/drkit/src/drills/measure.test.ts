import { describe, expect, it } from 'vitest';
import type { WorkloadRecord } from '../lab/workload.js';
import { dataLossOf, measureRecovery } from './measure.js';

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
