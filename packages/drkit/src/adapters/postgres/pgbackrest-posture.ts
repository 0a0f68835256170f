import type { RecoverableWindow } from '../../ports/database.js';
import type { PostureCheck, PosturePolicy } from '../../ports/posture.js';
import { latestFromArchive } from './recovery-window.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import type { PgBackRestDatabase } from './pgbackrest-database.js';
import { segmentInRange, systemIdsOf } from './pgbackrest-verify.js';

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The recoverable window as the archive alone gives it: what is left when the primary is lost.
 * (`Database.recoverableWindow` ends at "now" for a running source, which can still hand over
 * its unarchived WAL; a posture check must not count on that.)
 */
export async function archiveWindow(
  clusters: PgClusterManager,
  db: PgBackRestDatabase,
  clusterId: string,
): Promise<RecoverableWindow> {
  const { earliest } = await db.recoverableWindow(clusterId);
  const stanza = clusters.get(clusterId).stanza;
  if (!stanza) throw new Error(`cluster ${clusterId} archives nowhere`);
  const latest = await latestFromArchive(clusters, await clusters.pgbackrest.info(stanza));
  if (!latest) throw new Error(`no commit found in the newest archived WAL of stanza ${stanza}`);
  return { earliest, latest };
}

/** `pg_stat_archiver` of one cluster, with what drkit derives from it. */
export interface ArchiverStatus extends ArchiverRow {
  /** The newest failure is later than the newest success: archiving is broken now. */
  readonly failing: boolean;
  /** Milliseconds since the last archived segment (server clock); undefined if none yet. */
  readonly lastArchivedAgeMs: number | undefined;
}

/** Reads `pg_stat_archiver` (and the archive settings) of a running cluster. */
export async function archiverStatus(
  clusters: PgClusterManager,
  clusterId: string,
): Promise<ArchiverStatus> {
  const [a] = await clusters.query<ArchiverRow>(
    clusterId,
    `select archived_count::text, last_archived_wal, last_archived_time, failed_count::text,
            last_failed_wal, last_failed_time, current_setting('archive_command') as archive_command,
            current_setting('archive_timeout') as archive_timeout, now() as now
       from pg_stat_archiver`,
  );
  if (!a) throw new Error('pg_stat_archiver returned no row');
  return {
    ...a,
    failing:
      a.last_failed_time !== null &&
      (a.last_archived_time === null || a.last_failed_time > a.last_archived_time),
    lastArchivedAgeMs: a.last_archived_time
      ? a.now.getTime() - a.last_archived_time.getTime()
      : undefined,
  };
}

interface ArchiverRow {
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: Date | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: Date | null;
  archive_command: string;
  archive_timeout: string;
  now: Date;
}

/**
 * The posture of one self-managed primary backed up by pgBackRest: `check`, `verify` (corrupt
 * files joined with each backup's WAL range), the repository's system id against the server's,
 * the newest backup's age, archiving health (`pg_stat_archiver`), the recoverable window and the
 * newest restorable time, and standby replay lag. A check that cannot run fails with the error.
 */
export async function pgBackRestPosture(
  clusters: PgClusterManager,
  db: PgBackRestDatabase,
  clusterId: string,
  policy: PosturePolicy,
  opts: {
    readonly now?: () => Date;
    /** How long `pgbackrest check` waits for its WAL switch to be archived. @default 60 */
    readonly archiveTimeoutSeconds?: number;
  } = {},
): Promise<PostureCheck[]> {
  const now = opts.now ?? (() => new Date());
  const rec = clusters.get(clusterId);
  const stanza = rec.stanza;
  const subject = `cluster ${clusterId}${stanza ? ` (stanza ${stanza})` : ''}`;
  const out: PostureCheck[] = [];
  const check = (
    id: string,
    status: PostureCheck['status'],
    value: string,
    reason: string,
  ): void => {
    out.push({ id, subject, status, value, reason });
  };
  const guarded = async (id: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (err) {
      check(id, 'fail', 'could not be checked', err instanceof Error ? err.message : String(err));
    }
  };
  if (!stanza) {
    check('pgbackrest.stanza', 'fail', 'no stanza', 'the cluster archives nowhere: no PITR');
    return out;
  }
  const pgb = clusters.pgbackrest;

  await guarded('pgbackrest.check', async () => {
    await pgb.check(stanza, { archiveTimeoutSeconds: opts.archiveTimeoutSeconds ?? 60 });
    check('pgbackrest.check', 'pass', 'ok', 'a WAL switch reached the archive; config matches');
  });

  const backups = await pgb
    .info(stanza)
    .then((i) => i.backups)
    .catch(() => undefined);
  await guarded('pgbackrest.verify', async () => {
    const v = await pgb.verify(stanza);
    if (v.status === 'ok' && v.invalid.length === 0) {
      check(
        'pgbackrest.verify',
        'pass',
        `${v.walValid}/${v.walChecked} WAL segments valid; ${v.backups.length} backup(s) valid`,
        'every archived file read back with its checksum',
      );
      return;
    }
    const bad = v.invalid.map((f) => f.segment ?? f.file);
    const ranges = backups ?? [];
    const broken = ranges
      .filter((b) =>
        v.invalid.some(
          (f) =>
            f.segment &&
            b.walStart &&
            b.walStop &&
            segmentInRange(f.segment, b.walStart, b.walStop),
        ),
      )
      .map((b) => b.label);
    const newestStop = ranges.at(-1)?.walStop;
    const cutsPitr = v.invalid.filter((f) => f.segment && newestStop && f.segment > newestStop);
    check(
      'pgbackrest.verify',
      'fail',
      `${v.invalid.length} invalid file(s): ${bad.join(', ')}${v.status === 'unknown' ? ' (no summary printed)' : ''}`,
      [
        `verify status '${v.status}' (pgBackRest exits 0 regardless)`,
        broken.length
          ? `backups needing a corrupt segment to be consistent: ${broken.join(', ')}`
          : '',
        cutsPitr.length
          ? `no recovery past ${cutsPitr.map((f) => f.segment).join(', ')} (after the newest backup)`
          : '',
        ...v.invalid.map((f) => `${f.file}: ${f.reason}`),
      ]
        .filter(Boolean)
        .join('; '),
    );
  });

  await guarded('pgbackrest.system-id', async () => {
    const ids = systemIdsOf(await pgb.infoJson(stanza));
    const [row] = await clusters.query<{ id: string }>(
      clusterId,
      'select system_identifier::text as id from pg_control_system()',
    );
    const server = row?.id ?? '?';
    const current = ids.at(-1);
    check(
      'pgbackrest.system-id',
      current === server ? 'pass' : 'fail',
      `repository ${current ?? 'none'}, server ${server}`,
      current === server
        ? "the repository's current database is this cluster"
        : 'the repository holds another cluster: its backups do not restore this one',
    );
  });

  await guarded('backup.age', async () => {
    const newest = backups?.at(-1);
    if (!newest) {
      check('backup.age', 'fail', 'no backup', 'no valid backup in the repository');
      return;
    }
    const age = now().getTime() - newest.stoppedAt.getTime();
    const ok = age <= policy.maxBackupAgeHours * 3_600_000;
    check(
      'backup.age',
      ok ? 'pass' : 'fail',
      `newest backup ${newest.label} ${hours(age)} old`,
      `policy: at most ${policy.maxBackupAgeHours} h`,
    );
  });

  await guarded('archiving', async () => {
    const a = await archiverStatus(clusters, clusterId);
    const failing = a.failing;
    const lastAge = a.lastArchivedAgeMs;
    const value = `archived ${a.archived_count} (last ${a.last_archived_wal ?? 'none'}${lastAge === undefined ? '' : `, ${secs(lastAge)} ago`}), failed ${a.failed_count}${a.last_failed_wal ? ` (last ${a.last_failed_wal} at ${a.last_failed_time?.toISOString()})` : ''}`;
    if (failing)
      check(
        'archiving',
        'fail',
        value,
        `archiving is failing: the newest failure is later than the newest success (archive_command: ${a.archive_command})`,
      );
    else if (lastAge !== undefined && lastAge > policy.rpoTargetSeconds * 1000)
      check(
        'archiving',
        'fail',
        value,
        `nothing archived for longer than the RPO target (${policy.rpoTargetSeconds} s; archive_timeout ${a.archive_timeout})`,
      );
    else
      check(
        'archiving',
        Number(a.failed_count) > 0 ? 'warn' : 'pass',
        value,
        Number(a.failed_count) > 0
          ? 'archiving works now, but failed before (pg_stat_archiver counts since its last reset)'
          : `within the RPO target (${policy.rpoTargetSeconds} s)`,
      );
  });

  await guarded('recovery.window', async () => {
    const w = await archiveWindow(clusters, db, clusterId);
    const span = w.latest.getTime() - w.earliest.getTime();
    const min = policy.minWindowDays * 86_400_000;
    check(
      'recovery.window',
      span >= min ? 'pass' : 'fail',
      `${w.earliest.toISOString()} → ${w.latest.toISOString()} (${hours(span)})`,
      `policy: at least ${policy.minWindowDays} days (one release cycle)`,
    );
    const lag = now().getTime() - w.latest.getTime();
    check(
      'recovery.newest-restorable',
      lag <= policy.rpoTargetSeconds * 1000 ? 'pass' : 'fail',
      `${w.latest.toISOString()} (${secs(lag)} ago)`,
      `the newest time the archive alone restores to (the primary lost) may lag now by at most the RPO target (${policy.rpoTargetSeconds} s)`,
    );
  });

  await guarded('replication.lag', async () => {
    const r = await db.replication(clusterId);
    if (r.standbys.length === 0) {
      check(
        'replication.lag',
        'warn',
        'no standby streaming',
        'no replica: a region loss relies on the archive',
      );
      return;
    }
    for (const s of r.standbys) {
      // a delayed standby lags by design: `delayed-standby.window` judges it
      if (clusters.registry.get(s.name)?.applyDelaySeconds !== undefined) continue;
      const lagS = s.replayLagSeconds ?? 0;
      const ok = s.state === 'streaming' && lagS <= policy.rpoTargetSeconds;
      check(
        'replication.lag',
        ok ? 'pass' : 'fail',
        `${s.name} ${s.state} ${s.syncState}: ${s.lagBytes} B, ${lagS.toFixed(2)} s behind`,
        `streaming with replay lag within the RPO target (${policy.rpoTargetSeconds} s)`,
      );
    }
  });
  return out;
}
