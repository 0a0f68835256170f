import { describe, expect, it } from 'vitest';
import type { WorkloadRecord } from '../lab/workload.js';
import { measureRecovery } from './measure.js';

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
