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

/** One app task's write outage: its last ack before the outage and its first after (tasks that served or refused writes around it). */
export interface TaskOutage {
  readonly task: string;
  /** Last write the task acknowledged before the outage (undefined: it served none then). */
  readonly stoppedAt: string | undefined;
  /** First write it acknowledged after (undefined: it served none then, e.g. a task of the old region). */
  readonly resumedAt: string | undefined;
  /**
   * What a client of this task waited at worst: from its stop (or the earliest stop) to its
   * resumption (or the latest resumption, when it no longer serves).
   */
  readonly seconds: number;
}

/** Write outage across every app task (see {@link writeOutageByTask}). */
export interface WriteOutage {
  /** The worst a client could see: the earliest stop of any task → the latest first ack. */
  readonly worst: { readonly seconds: number; readonly start?: string; readonly end?: string };
  /** One client's view: the longest gap between consecutive acks, whatever task answered. */
  readonly anyTask: ReturnType<typeof writeUnavailability>;
  readonly tasks: ReadonlyArray<TaskOutage>;
}

/**
 * Write unavailability per app task, from the `task` each ack names. Freeze and unfreeze reach
 * tasks at different moments, so the gap between any two acks (one client spread over every
 * task) understates what a client pinned to one task sees. The outage window is the longest ack
 * gap from `from` on; each task's stop is its last ack in [`from` or 1 s before the window start,
 * whichever is earlier; the window start] and its resumption its first ack at or after the
 * window end. A task that took no write before the
 * outage and answered none inside it (one the front door added afterwards) kept no client
 * waiting: it neither ends the worst outage nor appears per task.
 */
export function writeOutageByTask(
  records: ReadonlyArray<WorkloadRecord>,
  from: Date,
  to?: Date,
): WriteOutage {
  const anyTask = writeUnavailability(records, from, to);
  if (!anyTask.start || !anyTask.end) return { worst: { seconds: 0 }, anyTask, tasks: [] };
  const gs = Date.parse(anyTask.start);
  const ge = Date.parse(anyTask.end);
  const stopped = new Map<string, number>();
  const resumed = new Map<string, number>();
  const asked = new Set<string>();
  for (const r of records) {
    if (r.type === 'refused' || r.type === 'fail') {
      const at = Date.parse(r.at);
      if (r.task && at >= gs && at <= ge) asked.add(r.task);
      continue;
    }
    if (r.type !== 'ack') continue;
    const at = Date.parse(r.at);
    const task = r.task ?? '?';
    if (at >= Math.min(from.getTime(), gs - 1000) && at <= gs)
      stopped.set(task, Math.max(stopped.get(task) ?? 0, at));
    if (at >= ge && (!to || at <= to.getTime()) && !resumed.has(task)) resumed.set(task, at);
  }
  const waited = (task: string) => stopped.has(task) || asked.has(task);
  for (const task of [...resumed.keys()]) if (!waited(task)) resumed.delete(task);
  const firstStop = Math.min(...stopped.values(), gs);
  const lastResume = Math.max(...resumed.values(), ge);
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  const tasks = [...new Set([...stopped.keys(), ...resumed.keys()])].sort().map((task) => ({
    task,
    stoppedAt: iso(stopped.get(task)),
    resumedAt: iso(resumed.get(task)),
    seconds: ((resumed.get(task) ?? lastResume) - (stopped.get(task) ?? firstStop)) / 1000,
  }));
  return {
    worst: {
      seconds: (lastResume - firstStop) / 1000,
      start: iso(firstStop),
      end: iso(lastResume),
    },
    anyTask,
    tasks,
  };
}
