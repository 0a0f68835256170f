import type { MetricSample } from '../../ports/metrics.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import type { PgBackRestDatabase } from './pgbackrest-database.js';
import { archiveWindow, archiverStatus } from './pgbackrest-posture.js';

const HELP = {
  drkit_delayed_standby_excess_lag_seconds:
    'Replay lag of a delayed standby beyond its recovery_min_apply_delay (0 while it keeps its window)',
  drkit_archive_last_success_age_seconds:
    'seconds since the newest WAL segment was archived (pg_stat_archiver, server clock): the live RPO of the archive',
  drkit_archive_failing:
    '1 when the newest archive failure is later than the newest success (archiving broken now)',
  drkit_archive_failed_count: 'archive_command failures since pg_stat_archiver was last reset',
  drkit_newest_backup_age_seconds: 'seconds since the newest valid pgBackRest backup stopped',
  drkit_newest_restorable_age_seconds:
    'seconds between now and the newest time the archive alone restores to (the primary lost)',
  drkit_recoverable_window_seconds:
    'length of the recoverable window (earliest → newest restorable)',
  drkit_replica_lag_bytes: 'WAL written on the primary not yet replayed on the standby',
  drkit_replica_lag_seconds:
    'replay lag of the standby (pg_stat_replication.replay_lag; 0 when idle and caught up)',
  drkit_replica_streaming: '1 when the standby is in state streaming',
  drkit_metric_errors:
    '1 when a metric family could not be read on this scrape (the family is then absent)',
} as const;

/** The groups of gauges read together (one `drkit_metric_errors{family}` each when unreadable). */
export const METRIC_FAMILIES = ['archive', 'backup', 'window', 'replication'] as const;

/** One of {@link METRIC_FAMILIES}. */
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/**
 * The live recovery-point gauges of self-managed primaries backed up by pgBackRest, read at
 * each call (one `pgbackrest info` and two queries per cluster). A family that cannot be read
 * is absent and `drkit_metric_errors{family}` says so, instead of a stale or zero value.
 * `families` limits the reads (the lag history needs only archive and replication).
 */
export async function pgBackRestMetrics(
  clusters: PgClusterManager,
  db: PgBackRestDatabase,
  clusterIds: readonly string[],
  now: () => Date = () => new Date(),
  families: ReadonlyArray<MetricFamily> = METRIC_FAMILIES,
): Promise<MetricSample[]> {
  const out: MetricSample[] = [];
  const put = (name: keyof typeof HELP, labels: Record<string, string>, value: number) =>
    out.push({ name, help: HELP[name], labels, value });
  const family = async (cluster: string, name: MetricFamily, f: () => Promise<void>) => {
    if (!families.includes(name)) return;
    try {
      await f();
    } catch {
      put('drkit_metric_errors', { cluster, family: name }, 1);
    }
  };
  for (const cluster of clusterIds) {
    await family(cluster, 'archive', async () => {
      const a = await archiverStatus(clusters, cluster);
      if (a.lastArchivedAgeMs !== undefined)
        put('drkit_archive_last_success_age_seconds', { cluster }, a.lastArchivedAgeMs / 1000);
      put('drkit_archive_failing', { cluster }, a.failing ? 1 : 0);
      put('drkit_archive_failed_count', { cluster }, Number(a.failed_count));
    });
    await family(cluster, 'backup', async () => {
      const stanza = clusters.get(cluster).stanza;
      if (!stanza) throw new Error('no stanza');
      const newest = (await clusters.pgbackrest.info(stanza)).backups.at(-1);
      if (newest)
        put(
          'drkit_newest_backup_age_seconds',
          { cluster },
          (now().getTime() - newest.stoppedAt.getTime()) / 1000,
        );
    });
    await family(cluster, 'window', async () => {
      const w = await archiveWindow(clusters, db, cluster);
      put(
        'drkit_newest_restorable_age_seconds',
        { cluster },
        Math.max(0, (now().getTime() - w.latest.getTime()) / 1000),
      );
      put(
        'drkit_recoverable_window_seconds',
        { cluster },
        (w.latest.getTime() - w.earliest.getTime()) / 1000,
      );
    });
    await family(cluster, 'replication', async () => {
      for (const s of (await db.replication(cluster)).standbys) {
        const labels = { cluster, standby: s.name };
        put('drkit_replica_lag_bytes', labels, s.lagBytes);
        const delay = clusters.registry.get(s.name)?.applyDelaySeconds;
        // a delayed standby lags by design: its lag beyond the delay is what matters
        if (delay !== undefined)
          put(
            'drkit_delayed_standby_excess_lag_seconds',
            labels,
            Math.max(0, (s.replayLagSeconds ?? 0) - delay),
          );
        else put('drkit_replica_lag_seconds', labels, s.replayLagSeconds ?? 0);
        put('drkit_replica_streaming', labels, s.state === 'streaming' ? 1 : 0);
      }
    });
  }
  return out;
}
