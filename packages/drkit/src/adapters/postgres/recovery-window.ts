import { mkdtempSync, rmSync, chownSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { RecoverableWindow } from '../../ports/database.js';
import { OutOfWindowError, PreconditionError, UsageError } from '../../engine/errors.js';
import { sleep } from '../../util/net.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import { earliestRecoverable, formatWindow, type StanzaInfo } from './pgbackrest-info.js';

/*
 * Why "latest" needs care. A time-targeted recovery (recovery_target_time) only stops at a
 * COMMIT/ABORT record whose timestamp is AFTER the target; if the archived WAL ends before
 * such a record, PostgreSQL 13+ refuses to start ("recovery ended before configured recovery
 * target was reached"). pgBackRest's info gives backup times and WAL segment names, never
 * commit times. So the truthful latest bound is "just before the newest commit record that is
 * in the archive", and drkit establishes it in one of two ways:
 *  - source running: SEAL the archive (sealArchive): read the source clock T, commit an empty
 *    transaction (a commit record stamped after T), switch WAL and wait until that segment is
 *    archived. Every instant <= T is then recoverable. This appends WAL to the source's archive
 *    (exactly what archive_timeout does) but never changes its data.
 *  - source down: read the newest archived segments with pg_waldump and take the last
 *    commit/abort timestamp (minus a millisecond).
 */

/** The result of {@link sealArchive}. */
export interface SealResult {
  /** Source clock just before the marker commit: every instant up to here is recoverable. */
  readonly latest: Date;
  /** The WAL segment switched out and archived. */
  readonly segment: string;
  readonly durationMs: number;
}

/**
 * Makes everything committed on a RUNNING source up to now recoverable from the archive:
 * marker commit, `pg_switch_wal()`, then waits until `pg_stat_archiver` shows the segment.
 * @throws PreconditionError when archiving fails or does not catch up within `timeoutMs`.
 */
export async function sealArchive(
  mgr: PgClusterManager,
  id: string,
  timeoutMs = 60_000,
): Promise<SealResult> {
  const started = Date.now();
  const [t] = await mgr.query<{ t: Date }>(id, 'select clock_timestamp() as t');
  await mgr.query(id, 'select pg_current_xact_id()');
  const [sw] = await mgr.query<{ seg: string }>(
    id,
    'select pg_walfile_name(pg_switch_wal()) as seg',
  );
  const segment = sw!.seg;
  for (;;) {
    const [a] = await mgr.query<{
      archived: string | null;
      failed: string | null;
      failed_time: Date | null;
    }>(
      id,
      'select last_archived_wal as archived, last_failed_wal as failed, last_failed_time as failed_time from pg_stat_archiver',
    );
    if (a?.archived && a.archived.slice(0, 24) >= segment) break;
    if (
      a?.failed &&
      a.failed.slice(0, 24) >= segment &&
      a.failed_time &&
      a.failed_time.getTime() >= started - 1000
    ) {
      throw new PreconditionError(
        `WAL archiving of cluster '${id}' is failing (segment ${a.failed})`,
        {
          hint: `see the cluster's postgres.log and pgBackRest's log; run 'pgbackrest check' for its stanza`,
        },
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new PreconditionError(
        `WAL segment ${segment} of cluster '${id}' was not archived within ${timeoutMs} ms`,
        {
          hint: 'archiving is slow or stuck: check pg_stat_archiver and the pgBackRest log',
          retryable: true,
        },
      );
    }
    await sleep(100);
  }
  return { latest: t!.t, segment, durationMs: Date.now() - started };
}

/** The segment before `seg` (16 MiB segments: 256 per log id). `undefined` at the start. */
export function previousSegment(seg: string): string | undefined {
  const tli = seg.slice(0, 8);
  const log = parseInt(seg.slice(8, 16), 16);
  const s = parseInt(seg.slice(16, 24), 16);
  if (s > 0)
    return (
      tli +
      log.toString(16).toUpperCase().padStart(8, '0') +
      (s - 1).toString(16).toUpperCase().padStart(8, '0')
    );
  if (log > 0) return tli + (log - 1).toString(16).toUpperCase().padStart(8, '0') + '000000FF';
  return undefined;
}

/**
 * The timestamp of the last COMMIT/ABORT record in `pg_waldump` output (run with TZ=UTC), in
 * microseconds since the epoch, or `undefined` when there is none.
 */
export function lastXactTimeMicros(waldump: string): bigint | undefined {
  let last: bigint | undefined;
  const re =
    /desc: (?:COMMIT|ABORT)(?:_PREPARED)? (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))? UTC/g;
  for (const m of waldump.matchAll(re)) {
    const ms = Date.parse(`${m[1]}T${m[2]}Z`);
    last = BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  }
  return last;
}

/**
 * Latest recoverable instant of a STOPPED source, from the archive itself: walks back from the
 * newest archived segment (at most `maxSegments`) to the last commit/abort record and returns
 * one millisecond before it. `undefined` when no such record was found.
 */
export async function latestFromArchive(
  mgr: PgClusterManager,
  info: StanzaInfo,
  maxSegments = 8,
): Promise<Date | undefined> {
  if (!info.archive) return undefined;
  const tmp = mkdtempSync(path.join(mgr.layout.pgbackrestDir, 'spool', 'waldump-'));
  const o = mgr.owner;
  chmodSync(tmp, 0o700);
  if (o) chownSync(tmp, o.uid, o.gid);
  try {
    let seg: string | undefined = info.archive.max;
    for (
      let i = 0;
      seg && i < maxSegments && seg >= info.archive.min;
      i++, seg = previousSegment(seg)
    ) {
      const file = path.join(tmp, seg);
      if (!(await mgr.pgbackrest.archiveGet(info.stanza, seg, file))) continue;
      const r = await mgr.runServer([path.join(mgr.binDir, 'pg_waldump'), file]);
      // pg_waldump exits non-zero at the end of a partially filled segment; its output is still good.
      const us = lastXactTimeMicros(r.stdout);
      rmSync(file, { force: true });
      if (us !== undefined) return new Date(Number((us + 999n) / 1000n) - 1);
    }
    return undefined;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The recoverable window of a stanza: earliest from the oldest backup, latest as explained
 * above (source clock when `sourceRunning`, else the archive's last commit).
 * @throws PreconditionError when there is no backup or no commit after it in the archive.
 */
export async function windowFor(
  mgr: PgClusterManager,
  sourceId: string,
  info: StanzaInfo,
): Promise<RecoverableWindow> {
  const earliest = earliestRecoverable(info);
  if (!earliest) {
    throw new PreconditionError(
      `stanza '${info.stanza}' has no valid backup: nothing can be restored`,
      {
        hint: `take one first: pgbackrest --stanza=${info.stanza} backup --type=full`,
      },
    );
  }
  let latest: Date | undefined;
  if (mgr.isRunning(sourceId)) {
    const [r] = await mgr.query<{ t: Date }>(sourceId, 'select clock_timestamp() as t');
    latest = r!.t;
  } else {
    latest = await latestFromArchive(mgr, info);
  }
  if (!latest || latest.getTime() < earliest.getTime()) {
    throw new PreconditionError(
      `stanza '${info.stanza}' has no archived commit after its oldest backup yet`,
      {
        hint: 'start the source and write to it, or wait for archive_timeout, then retry',
        retryable: true,
      },
    );
  }
  return { earliest, latest };
}

/** Throws OutOfWindowError (message prints the window) unless `target` lies inside `w`. */
export function assertInWindow(target: Date, w: RecoverableWindow, sourceId: string): void {
  if (Number.isNaN(target.getTime())) throw new UsageError('restore target is an invalid Date');
  if (target.getTime() < w.earliest.getTime() || target.getTime() > w.latest.getTime()) {
    const side =
      target.getTime() < w.earliest.getTime()
        ? 'before the earliest backup'
        : 'after the latest recoverable time';
    throw new OutOfWindowError(
      `restore target ${target.toISOString()} is ${side} of '${sourceId}'; recoverable window: ${formatWindow(w)}`,
      {
        hint: 'choose a target inside the window (ISO-8601 with a zone), or `latest`',
        details: {
          target: target.toISOString(),
          earliest: w.earliest.toISOString(),
          latest: w.latest.toISOString(),
        },
      },
    );
  }
}
