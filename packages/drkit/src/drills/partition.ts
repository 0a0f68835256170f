import type pg from 'pg';
import type { PgClusterManager } from '../adapters/postgres/index.js';
import type { HaproxyLink } from '../adapters/haproxy/index.js';
import type { WorkloadRecord } from '../lab/workload.js';

/** Where a standby stands against its primary, read from both servers. */
export interface StandbyPosition {
  readonly at: string;
  /** `pg_current_wal_lsn()` of the primary. */
  readonly primaryLsn: string;
  /** `pg_last_wal_replay_lsn()` of the standby. */
  readonly replayLsn: string | null;
  /** `pg_stat_wal_receiver.status`, `none` when no WAL receiver runs (disconnected). */
  readonly receiver: string;
  /** Bytes of WAL the primary has and the standby has not replayed. */
  readonly behindBytes: number;
}

/** Reads the primary's WAL position and the standby's replay position (and its WAL receiver). */
export async function standbyPosition(
  clusters: PgClusterManager,
  primaryId: string,
  standbyId: string,
): Promise<StandbyPosition> {
  const [a] = await clusters.query<{ lsn: string }>(
    primaryId,
    'select pg_current_wal_lsn()::text as lsn',
  );
  const [b] = await clusters.query<{
    replay: string | null;
    receiver: string | null;
    behind: string | null;
  }>(
    standbyId,
    `select pg_last_wal_replay_lsn()::text as replay,
            (select status from pg_stat_wal_receiver) as receiver,
            pg_wal_lsn_diff($1::pg_lsn, coalesce(pg_last_wal_replay_lsn(), '0/0'))::bigint::text as behind`,
    [a!.lsn],
  );
  return {
    at: new Date().toISOString(),
    primaryLsn: a!.lsn,
    replayLsn: b?.replay ?? null,
    receiver: b?.receiver ?? 'none',
    behindBytes: Math.max(0, Number(b?.behind ?? 0)),
  };
}

/** Bytes between two LSNs (`b − a`), from their text form. */
export function lsnDiff(a: string, b: string): number {
  const n = (l: string) => {
    const [hi, lo] = l.split('/');
    return Number.parseInt(hi!, 16) * 2 ** 32 + Number.parseInt(lo!, 16);
  };
  return n(b) - n(a);
}

/** What the workload saw while the link was cut: acknowledged and failed writes in [from, to). */
export function partitionWrites(
  records: ReadonlyArray<WorkloadRecord>,
  from: Date,
  to: Date,
): { acknowledged: number; failed: number } {
  let acknowledged = 0;
  let failed = 0;
  for (const r of records) {
    const at = Date.parse(r.at);
    if (at < from.getTime() || at >= to.getTime()) continue;
    if (r.type === 'ack') acknowledged++;
    else if (r.type === 'fail') failed++;
  }
  return { acknowledged, failed };
}

/**
 * Refs of writes the workload saw FAIL in [from, to) that the recovered database has anyway: a
 * commit blocked waiting for the synchronous standby is already in the primary's WAL, and the
 * archive can carry it to the standby though the client never got an answer.
 */
export async function failedButPresent(
  records: ReadonlyArray<WorkloadRecord>,
  recovered: pg.ClientBase,
  from: Date,
  to: Date,
): Promise<number> {
  const refs = records
    .filter(
      (r): r is Extract<WorkloadRecord, { type: 'fail' }> =>
        r.type === 'fail' && Date.parse(r.at) >= from.getTime() && Date.parse(r.at) < to.getTime(),
    )
    .map((r) => r.ref);
  if (!refs.length) return 0;
  const r = await recovered.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM orders WHERE client_ref = ANY($1::uuid[])',
    [refs],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** A partition of the inter-region link, as the drill ran it. */
export interface Partition {
  readonly link: HaproxyLink;
  readonly cutAt: Date;
  /** The standby right after the cut. */
  readonly atCut: StandbyPosition;
  /** The standby just before the fault. */
  atFault?: StandbyPosition;
  healedAt?: Date;
  /** Writes that failed from the cut to T0 + 5 s (a request in flight at T0 fails after it) yet are on the recovered primary; see {@link failedButPresent}. */
  failedButPresent?: number;
}

/** Report facts of a partition (null figures when it did not run). */
export function partitionFacts(
  part: Partition,
  seconds: number,
  records: ReadonlyArray<WorkloadRecord>,
  t0: Date,
  lost: ReadonlyArray<{ readonly at: string }>,
  /**
   * When the last region-A process was dead: an answer can still arrive between T0 (the kill
   * starts) and then, for a commit made before the kill. @default t0
   */
  deadAt: Date = t0,
): Record<string, string | number | null> {
  const end = new Date(Math.max(t0.getTime(), deadAt.getTime()) + 1);
  const w = partitionWrites(records, part.cutAt, end);
  const inWindow = lost.filter(
    (l) => Date.parse(l.at) >= part.cutAt.getTime() && Date.parse(l.at) < end.getTime(),
  ).length;
  const f = part.atFault;
  // With the WAL receiver cut off, whatever B replays meanwhile came through restore_command
  // from the pgBackRest repository (segments archive_timeout closed on A). Said as LSNs: a
  // forced segment switch pads to the boundary, so a byte difference would overstate it.
  const viaArchive =
    f?.replayLsn &&
    part.atCut.replayLsn &&
    lsnDiff(part.atCut.replayLsn, f.replayLsn) > 0 &&
    f.receiver !== 'streaming';
  return {
    partitionSeconds: seconds,
    partitionLink: part.link.name,
    partitionCutAt: part.cutAt.toISOString(),
    partitionToFaultSeconds: (t0.getTime() - part.cutAt.getTime()) / 1000,
    regionADeadAt: deadAt.toISOString(),
    partitionHealedAt: part.healedAt?.toISOString() ?? null,
    writesAcknowledgedDuringPartition: w.acknowledged,
    writesFailedDuringPartition: w.failed,
    lostOfPartitionAcks: inWindow,
    // With the stream cut, these reached B through the WAL archive (restore_command, before T0 or
    // while the promotion replayed what the repository had), or were in flight at the cut.
    partitionAcksOnBAnyway: w.acknowledged - inWindow,
    failedWritesPresentAfterRecovery: part.failedButPresent ?? null,
    lostBeforePartition: lost.filter((l) => Date.parse(l.at) < part.cutAt.getTime()).length,
    standbyAtCut: `${part.atCut.receiver}, replayed ${part.atCut.replayLsn ?? '-'}, ${part.atCut.behindBytes} B behind`,
    standbyAtFault: f
      ? `${f.receiver}, replayed ${f.replayLsn ?? '-'} of ${f.primaryLsn}, ${f.behindBytes} B behind`
      : null,
    standbyBehindAtFaultBytes: f?.behindBytes ?? null,
    standbyReplayDuringPartition: f
      ? `${part.atCut.replayLsn ?? '-'} → ${f.replayLsn ?? '-'}${viaArchive ? ' (from the WAL archive: restore_command, the WAL receiver was cut off)' : ''}`
      : null,
  };
}
