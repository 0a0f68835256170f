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
  if (opts.recoveryPoint) {
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
    if (newestLost)
      span = (Date.parse(newestLost.at) - Date.parse((kept ?? sorted[firstLost]!).at)) / 1000;
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
  };
}

/**
 * Looks every acknowledged write up in the recovered database by its client ref
 * (`SELECT client_ref FROM orders WHERE client_ref = ANY($1)`) and measures the loss
 * ({@link dataLossOf}). `t0` is not part of the RPO definition any more (it only bounded the
 * old T0 − oldest-lost figure); kept so every caller keeps one signature.
 */
export async function measureDataLoss(
  records: ReadonlyArray<WorkloadRecord>,
  recovered: pg.ClientBase,
  t0: Date,
  opts: { until?: Date; recoveryPoint?: Date } = {},
): Promise<DataLoss> {
  const acks = records.filter(
    (r): r is Ack => r.type === 'ack' && (!opts.until || Date.parse(r.at) <= opts.until.getTime()),
  );
  const present = new Set<string>();
  for (let i = 0; i < acks.length; i += 5000) {
    const refs = acks.slice(i, i + 5000).map((a) => a.ref);
    const r = await recovered.query<{ ref: string }>(
      `SELECT client_ref::text AS ref FROM orders WHERE client_ref = ANY($1::uuid[])`,
      [refs],
    );
    for (const row of r.rows) present.add(row.ref);
  }
  return dataLossOf(acks, present, opts.recoveryPoint ? { recoveryPoint: opts.recoveryPoint } : {});
}
