import { describe, expect, it } from 'vitest';
import type { WorkloadRecord } from '../lab/workload.js';
import { servedBy, writeUnavailability } from './region-measure.js';

const ack = (ms: number, task = 'a-1'): WorkloadRecord => ({
  type: 'ack',
  seq: ms,
  ref: `r${ms}`,
  id: String(ms),
  at: new Date(ms).toISOString(),
  cluster: 'c',
  task,
});
const fail = (ms: number): WorkloadRecord => ({
  type: 'fail',
  seq: ms,
  ref: `f${ms}`,
  at: new Date(ms).toISOString(),
  cluster: 'c',
  error: 'x',
});

describe('writeUnavailability', () => {
  it('GIVEN acks with an outage WHEN measured from before it THEN the longest ack gap is the unavailability', () => {
    const recs = [ack(1000), ack(1050), fail(1100), fail(1500), ack(2300), ack(2350)];
    expect(writeUnavailability(recs, new Date(1020))).toMatchObject({
      seconds: 1.25,
      start: new Date(1050).toISOString(),
    });
  });
  it('ignores gaps that ended before `from`', () => {
    expect(writeUnavailability([ack(0), ack(5000), ack(5100)], new Date(5050)).seconds).toBeCloseTo(
      0.1,
    );
  });
  it('counts acks per task after from', () => {
    expect(servedBy([ack(1, 'a-1'), ack(2, 'b-1'), ack(3, 'b-1')], new Date(2))).toEqual({
      'b-1': 2,
    });
  });
});
