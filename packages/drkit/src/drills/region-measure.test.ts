import { describe, expect, it } from 'vitest';
import type { WorkloadRecord } from '../lab/workload.js';
import { servedBy, writeOutageByTask, writeUnavailability } from './region-measure.js';

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

const refused = (ms: number, task: string): WorkloadRecord => ({
  type: 'refused',
  seq: ms,
  at: new Date(ms).toISOString(),
  reason: 'global_readonly',
  task,
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

describe('writeOutageByTask', () => {
  it('GIVEN tasks that freeze and unfreeze at different moments THEN the worst outage spans the earliest stop to the latest resumption, per task too', () => {
    // a-1 froze at 1000, a-2 at 1190; b-1 unfroze at 2000, b-2 at 2230.
    const recs = [
      ack(900, 'a-1'),
      ack(950, 'a-2'),
      ack(1000, 'a-1'),
      ack(1190, 'a-2'),
      refused(1500, 'b-2'),
      refused(1600, 'b-1'),
      ack(2000, 'b-1'),
      ack(2100, 'b-1'),
      ack(2230, 'b-2'),
      ack(2300, 'b-1'),
    ];
    const o = writeOutageByTask(recs, new Date(500));
    // One client spread over every task sees only the 1190 → 2000 gap.
    expect(o.anyTask.seconds).toBeCloseTo(0.81, 6);
    expect(o.worst).toEqual({
      seconds: 1.23,
      start: new Date(1000).toISOString(),
      end: new Date(2230).toISOString(),
    });
    expect(o.tasks.map((t) => [t.task, t.seconds])).toEqual([
      ['a-1', 1.23],
      ['a-2', 1.04],
      ['b-1', 1],
      ['b-2', 1.23],
    ]);
  });
  it('a task the front door adds after the outage (no write before, none refused inside) does not lengthen it', () => {
    const recs = [
      ack(900, 'a-1'),
      ack(1000, 'a-1'),
      refused(1500, 'b-1'),
      ...[2000, 2500, 3000, 3500].map((ms) => ack(ms, 'b-1')),
      ack(3700, 'b-2'),
    ];
    const o = writeOutageByTask(recs, new Date(500));
    expect(o.worst.seconds).toBeCloseTo(1, 6);
    expect(o.tasks.map((t) => t.task)).toEqual(['a-1', 'b-1']);
  });
  it('GIVEN an outage that began before `from` (a partition before T0) THEN the tasks that served just before it are still listed', () => {
    const recs = [ack(4900, 'a-1'), ack(4950, 'a-2'), ack(14000, 'b-1'), ack(14100, 'b-2')];
    const o = writeOutageByTask(recs, new Date(9000));
    expect(o.tasks.map((t) => [t.task, t.seconds])).toEqual([
      ['a-1', 9.1],
      ['a-2', 9.05],
    ]);
    expect(o.worst.seconds).toBeCloseTo(9.1, 6);
  });
  it('is zero without an outage', () => {
    expect(writeOutageByTask([ack(1000)], new Date(0)).worst.seconds).toBe(0);
  });
});
