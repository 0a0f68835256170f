import { existsSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import type { WorkloadRecord } from '../lab/workload.js';

/** Reads a workload log (JSONL). A torn last line is ignored. */
export function readWorkloadLog(file: string): WorkloadRecord[] {
  if (!existsSync(file)) return [];
  const out: WorkloadRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as WorkloadRecord);
    } catch {
      break;
    }
  }
  return out;
}

/** When service came back, per ARCHITECTURE.md's definition. */
export interface Recovery {
  /** First successful write after T0 that was followed by sustained success. */
  readonly recoveredAt: Date | undefined;
  readonly rtoSeconds: number | undefined;
}

/**
 * Recovery = the first acknowledged write after `t0` (on `cluster` when given: for a restore
 * the old database keeps acknowledging writes until it is frozen, and those are not recovery)
 * after which no write failed for `sustainMs` and at least `minWrites` were acknowledged.
 */
export function measureRecovery(
  records: ReadonlyArray<WorkloadRecord>,
  t0: Date,
  opts: { cluster?: string; sustainMs?: number; minWrites?: number } = {},
): Recovery {
  const sustainMs = opts.sustainMs ?? 3000;
  const minWrites = opts.minWrites ?? 5;
  const after = records.filter((r) => Date.parse(r.at) >= t0.getTime());
  for (let i = 0; i < after.length; i++) {
    const r = after[i]!;
    if (r.type !== 'ack' || (opts.cluster && r.cluster !== opts.cluster)) continue;
    const start = Date.parse(r.at);
    let acks = 0;
    let broken = false;
    let reached = false;
    for (let j = i; j < after.length; j++) {
      const q = after[j]!;
      const at = Date.parse(q.at);
      if (at > start + sustainMs) {
        reached = true;
        break;
      }
      if (
        q.type === 'fail' ||
        q.type === 'refused' ||
        (q.type === 'ack' && opts.cluster && q.cluster !== opts.cluster)
      ) {
        broken = true;
        break;
      }
      if (q.type === 'ack') acks++;
    }
    if (!broken && reached && acks >= minWrites) {
      return { recoveredAt: new Date(start), rtoSeconds: (start - t0.getTime()) / 1000 };
    }
  }
  return { recoveredAt: undefined, rtoSeconds: undefined };
}

/** Acknowledged writes missing after recovery. */
export interface DataLoss {
  readonly acknowledged: number;
  readonly lost: number;
  /**
   * The span of acknowledged history given up, in seconds: from the recovery point to the ack
   * of the newest lost write. The recovery point is the restore target when one was chosen
   * (PITR), else (a failover) the newest acknowledged write that survived before the first lost
   * one. 0 only when nothing acknowledged is lost; never below
   * {@link RPO_RESOLUTION_SECONDS} when a write is lost.
   */
  readonly rpoSeconds: number;
  /** The definition `rpoSeconds` follows, in words, for the report. */
  readonly rpoDefinition: string;
  readonly oldestLostAt: string | undefined;
  readonly newestLostAt: string | undefined;
  /** Up to 20 lost refs, for the report. */
  readonly sampleLostRefs: ReadonlyArray<string>;
  /** Every lost write: its ref and ack time, in ack order. */
  readonly lostAcks: ReadonlyArray<{ readonly ref: string; readonly at: string }>;
  /**
   * The recovery point `rpoSeconds` is measured from: the restore target, or (a failover) the
   * newest acknowledged write that survived before the first lost one; undefined for a
   * failover that lost nothing.
   */
  readonly recoveryPoint: string | undefined;
}

/** The smallest RPO printed beside a loss: ack times are logged to the millisecond. */
export const RPO_RESOLUTION_SECONDS = 0.001;

type Ack = Extract<WorkloadRecord, { type: 'ack' }>;

/**
 * The loss figures from the acknowledged writes and the refs present after recovery (pure:
 * {@link measureDataLoss} does the lookup). `recoveryPoint` is the restore target when the
 * recovery chose one (PITR): writes acknowledged after it and missing are the history given up,
 * wherever T0 falls.
 */
export function dataLossOf(
  acks: ReadonlyArray<Ack>,
  present: ReadonlySet<string>,
  opts: { recoveryPoint?: Date } = {},
): DataLoss {
  const lost = acks.filter((a) => !present.has(a.ref));
  const oldest = lost[0];
  const newest = lost[lost.length - 1];
  let span = 0;
  let definition: string;
  let recoveryPoint: string | undefined;
  if (opts.recoveryPoint) {
    recoveryPoint = opts.recoveryPoint.toISOString();
    definition = `the span of acknowledged writes given up: the ack time of the newest lost write − the recovery point (restore target ${opts.recoveryPoint.toISOString()}); 0 only when none is lost`;
    if (newest) span = (Date.parse(newest.at) - opts.recoveryPoint.getTime()) / 1000;
  } else {
    // A failover keeps a prefix of the history: the recovery point is the newest acknowledged
    // write that survived before the first lost one.
    const sorted = [...acks].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const firstLost = sorted.findIndex((a) => !present.has(a.ref));
    const kept = firstLost > 0 ? sorted[firstLost - 1] : undefined;
    definition = `the span of acknowledged writes given up: the ack time of the newest lost write − the recovery point (the newest acknowledged write that survived before the first lost one${kept ? `, ${kept.at}` : ''}); 0 only when none is lost`;
    const newestLost = sorted.filter((a) => !present.has(a.ref)).at(-1);
    if (newestLost) {
      recoveryPoint = (kept ?? sorted[firstLost]!).at;
      span = (Date.parse(newestLost.at) - Date.parse(recoveryPoint)) / 1000;
    }
  }
  return {
    acknowledged: acks.length,
    lost: lost.length,
    rpoSeconds: lost.length ? Math.max(RPO_RESOLUTION_SECONDS, span) : 0,
    rpoDefinition: definition,
    oldestLostAt: oldest?.at,
    newestLostAt: newest?.at,
    sampleLostRefs: lost.slice(0, 20).map((l) => l.ref),
    lostAcks: lost.map((l) => ({ ref: l.ref, at: l.at })),
    recoveryPoint,
  };
}

/**
 * One app task's blind spot at the end of acceptance on the old cluster: from the last write it
 * acknowledged there (lost or not) to the answer to the next request the workload sent it
 * (refused, failed or acknowledged on another cluster). Another client of that task could have
 * had writes acknowledged on the old cluster, and lost, anywhere in between.
 */
export interface TaskRpoGap {
  readonly task: string;
  /** Ack time of the task's last write on the old cluster. */
  readonly lastAckAt: string;
  /** Answer time of the next request to the task; the end of the log when there was none. */
  readonly nextAt: string;
  /** What that request got (`ack` = acknowledged on another cluster); `none`: the log ended. */
  readonly next: 'refused' | 'fail' | 'ack' | 'none';
  readonly seconds: number;
}

/** How finely the workload saw the end of acceptance on the old cluster, and what that allows. */
export interface RpoBound {
  /** The largest {@link TaskRpoGap}: the resolution of the RPO's newest-lost end. */
  readonly rpoResolutionSeconds: number | undefined;
  /**
   * The recovery point → the latest end of the tasks' gaps: the most acknowledged history any
   * client of these tasks could have given up. Never below `rpoSeconds`; stated (≥ 0) when
   * nothing was lost too.
   */
  readonly rpoUpperBoundSeconds: number | undefined;
  readonly rpoResolutionDefinition: string;
  readonly rpoUpperBoundDefinition: string;
  /** Per task, by task name. */
  readonly rpoGaps: ReadonlyArray<TaskRpoGap>;
}

/** The measured loss with the resolution and upper bound of its RPO. */
export type MeasuredLoss = DataLoss & RpoBound;

/**
 * The RPO's resolution and upper bound from the workload log (see {@link RpoBound}). A request
 * is the task's by the URL index it was sent to (`door`, several URLs), else by the task that
 * answered; a request no task answered and sent through a single front door counts as the next
 * request to every task (the front door could have sent it to any of them). Answer times are
 * used, not send times: a task may accept another client's write until it handles the request.
 * When nothing was lost in a failover, the recovery point is the newest write acknowledged on
 * the old cluster (every one survived).
 */
export function rpoBoundOf(
  records: ReadonlyArray<WorkloadRecord>,
  loss: DataLoss,
  opts: { oldCluster: string },
): RpoBound {
  const requests = records.filter((r) => r.type !== 'switch');
  // Direct-DB mode names no task: the workload's one connection is the one "task".
  const direct = requests.every((r) => r.door === undefined && r.task === undefined);
  const keyOf = (r: WorkloadRecord): string | undefined =>
    r.type === 'switch'
      ? undefined
      : direct
        ? 'workload'
        : r.door !== undefined
          ? `#${r.door}`
          : r.task;
  // A door's name is the task that answered it (the URL index when none did).
  const names = new Map<string, string>();
  for (const r of requests) {
    const k = keyOf(r);
    if (k && r.task && r.task !== '?' && !names.has(k)) names.set(k, r.task);
  }
  const lastAck = new Map<string, number>();
  requests.forEach((r, i) => {
    const k = keyOf(r);
    if (r.type === 'ack' && r.cluster === opts.oldCluster && k) lastAck.set(k, i);
  });
  const logEnd = requests.at(-1)?.at;
  const gaps: TaskRpoGap[] = [];
  for (const [k, i] of lastAck) {
    const last = requests[i]!;
    const next = requests
      .slice(i + 1)
      .find((r) => keyOf(r) === k || (keyOf(r) === undefined && r.door === undefined));
    const nextAt = next?.at ?? logEnd ?? last.at;
    gaps.push({
      task: names.get(k) ?? k,
      lastAckAt: last.at,
      nextAt,
      next: next ? next.type : 'none',
      seconds: (Date.parse(nextAt) - Date.parse(last.at)) / 1000,
    });
  }
  gaps.sort((a, b) => a.task.localeCompare(b.task));
  const point =
    loss.recoveryPoint ??
    requests
      .filter((r) => r.type === 'ack' && r.cluster === opts.oldCluster)
      .reduce<string | undefined>((m, r) => (!m || r.at > m ? r.at : m), undefined);
  const latestEnd = Math.max(...gaps.map((g) => Date.parse(g.nextAt)));
  const upper =
    gaps.length && point
      ? Math.max(loss.rpoSeconds, 0, (latestEnd - Date.parse(point)) / 1000)
      : undefined;
  const from = loss.recoveryPoint
    ? `the recovery point (${loss.recoveryPoint})`
    : `the newest write acknowledged on '${opts.oldCluster}' (nothing was lost: every one survived${point ? `, ${point}` : ''})`;
  return {
    rpoResolutionSeconds: gaps.length ? Math.max(...gaps.map((g) => g.seconds)) : undefined,
    rpoUpperBoundSeconds: upper,
    rpoResolutionDefinition: `the longest any app task went unobserved at the end of acceptance on '${opts.oldCluster}': per task, the ack time of the last write it acknowledged there (lost or not) → the answer to the next request the workload sent it (refused, failed or acknowledged elsewhere; a request no task answered through a single front door counts for every task; the end of the log when there was none); another client of that task could have had writes acknowledged there, and lost, anywhere in that gap`,
    rpoUpperBoundDefinition: `the most acknowledged history any client could have given up: ${from} → the latest end of those per-task gaps (never below the RPO)`,
    rpoGaps: gaps,
  };
}

/** The per-task gaps for the report's facts: `a-1 <last ack> → refused <next> (0.097 s); …`. */
export function rpoGapsText(gaps: ReadonlyArray<TaskRpoGap>): string | null {
  if (!gaps.length) return null;
  return gaps
    .map(
      (g) =>
        `${g.task} ${g.lastAckAt} → ${g.next === 'none' ? 'end of log' : g.next} ${g.nextAt} (${g.seconds.toFixed(3)} s)`,
    )
    .join('; ');
}

/** {@link dataLossOf} and {@link rpoBoundOf} on a workload log (pure; the refs present given). */
export function lossFromLog(
  records: ReadonlyArray<WorkloadRecord>,
  present: ReadonlySet<string>,
  opts: { oldCluster: string; until?: Date; recoveryPoint?: Date },
): MeasuredLoss {
  const loss = dataLossOf(
    acksOf(records, opts.until),
    present,
    opts.recoveryPoint ? { recoveryPoint: opts.recoveryPoint } : {},
  );
  return { ...loss, ...rpoBoundOf(records, loss, { oldCluster: opts.oldCluster }) };
}

function acksOf(records: ReadonlyArray<WorkloadRecord>, until?: Date): Ack[] {
  return records.filter(
    (r): r is Ack => r.type === 'ack' && (!until || Date.parse(r.at) <= until.getTime()),
  );
}

/**
 * Looks every acknowledged write up in the recovered database by its client ref
 * (`SELECT client_ref FROM orders WHERE client_ref = ANY($1)`) and measures the loss and the
 * RPO's resolution and upper bound ({@link lossFromLog}; `oldCluster`: the cluster the writes
 * were given up on). `t0` is not part of the RPO definition any more (it only bounded the old
 * T0 − oldest-lost figure); kept so every caller keeps one signature.
 */
export async function measureDataLoss(
  records: ReadonlyArray<WorkloadRecord>,
  recovered: pg.ClientBase,
  t0: Date,
  opts: { oldCluster: string; until?: Date; recoveryPoint?: Date },
): Promise<MeasuredLoss> {
  const acks = acksOf(records, opts.until);
  const present = new Set<string>();
  for (let i = 0; i < acks.length; i += 5000) {
    const refs = acks.slice(i, i + 5000).map((a) => a.ref);
    const r = await recovered.query<{ ref: string }>(
      `SELECT client_ref::text AS ref FROM orders WHERE client_ref = ANY($1::uuid[])`,
      [refs],
    );
    for (const row of r.rows) present.add(row.ref);
  }
  return lossFromLog(records, present, opts);
}
