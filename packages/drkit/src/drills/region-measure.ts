import type { WorkloadRecord } from '../lab/workload.js';

/**
 * Write unavailability: the longest time between two consecutive acknowledged writes from
 * `from` on (a gap that spans `from` counts from its start). With a steady workload at r
 * writes/s the figure has a resolution of 1/r s.
 */
export function writeUnavailability(
  records: ReadonlyArray<WorkloadRecord>,
  from: Date,
  to?: Date,
): { seconds: number; start: string | undefined; end: string | undefined } {
  const acks = records.filter((r) => r.type === 'ack').map((r) => Date.parse(r.at));
  let best = {
    seconds: 0,
    start: undefined as string | undefined,
    end: undefined as string | undefined,
  };
  for (let i = 1; i < acks.length; i++) {
    const a = acks[i - 1]!;
    const b = acks[i]!;
    if (b < from.getTime() || (to && a > to.getTime())) continue;
    const gap = (b - a) / 1000;
    if (gap > best.seconds)
      best = { seconds: gap, start: new Date(a).toISOString(), end: new Date(b).toISOString() };
  }
  return best;
}

/** Requests answered per region/task after `from` (which tasks the front door sent them to). */
export function servedBy(
  records: ReadonlyArray<WorkloadRecord>,
  from: Date,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    if (r.type !== 'ack' || Date.parse(r.at) < from.getTime()) continue;
    const k = r.task ?? '?';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
