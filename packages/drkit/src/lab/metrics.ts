import path from 'node:path';
import pg from 'pg';
import { pgBackRestMetrics } from '../adapters/postgres/pgbackrest-metrics.js';
import type { DrkitConfig } from '../config/schema.js';
import type { MetricSample } from '../ports/metrics.js';
import { readEvidence } from '../report/evidence.js';
import type { LagHistory } from '../report/lag-history.js';
import { drillSamples, targetSamples } from '../report/prometheus.js';
import { readRestoreTestRecord, restoreTestSamples } from '../report/restore-test-record.js';
import { readAppConfig } from './app-config.js';
import { APP_DATABASE } from './lab.js';
import { providerUpSamples } from './provider-probes.js';
import type { LabProvider } from './provider.js';

/**
 * The lab's live recovery-point gauges: whether the cluster the app writes to answers as a
 * primary, and for every running primary that owns a pgBackRest stanza archive lag and
 * failures, newest backup and restorable time, standby lag.
 */
export async function labMetricSamples(p: LabProvider): Promise<MetricSample[]> {
  return [
    ...(await primaryUpSamples(p)),
    ...(await pgBackRestMetrics(p.clusters, p.database, await stanzaPrimaries(p))),
  ];
}

/** The running primaries that own a pgBackRest stanza (the clusters backups are taken from). */
async function stanzaPrimaries(p: LabProvider): Promise<string[]> {
  const primaries: string[] = [];
  for (const c of p.clusters.list()) {
    if (!c.ownsStanza || !p.clusters.isRunning(c.id)) continue;
    if ((await p.database.describe(c.id)).role === 'primary') primaries.push(c.id);
  }
  return primaries;
}

/**
 * Only the lag gauges (archive lag, standby lag) of the lab's primaries: what `drkit verify`
 * appends to the lag history, without a second `pgbackrest info`.
 */
export async function labLagSamples(p: LabProvider): Promise<MetricSample[]> {
  return pgBackRestMetrics(p.clusters, p.database, await stanzaPrimaries(p), undefined, [
    'archive',
    'replication',
  ]);
}

/**
 * `drkit_primary_up{cluster}`: 1 when the cluster the app config names runs and answers as a
 * primary, else 0 (the primary-down alert). Nothing before `lab up` wrote an app config.
 */
async function primaryUpSamples(p: LabProvider): Promise<MetricSample[]> {
  let cluster: string;
  try {
    cluster = (await readAppConfig(p.secrets)).dbClusterId;
  } catch {
    return [];
  }
  let up = false;
  if (p.clusters.list().some((c) => c.id === cluster) && p.clusters.isRunning(cluster))
    up = (await p.database.describe(cluster)).role === 'primary';
  return [
    {
      name: 'drkit_primary_up',
      help: '1 when the cluster the app writes to runs and answers as a primary, else 0',
      labels: { cluster },
      value: up ? 1 : 0,
    },
  ];
}

/**
 * `drkit_table_rows_deleted_total{cluster, table}`: rows deleted from each core table
 * (`posture.coreTables`) since the statistics of the cluster the app writes to began
 * (`pg_stat_user_tables.n_tup_del`). A counter: it restarts from 0 on a promoted standby or a
 * restored cluster, which `increase()` in the mass-delete rule treats as a reset. A core table
 * the database lacks has no series; a primary that cannot be read is `drkit_metric_errors`.
 */
export async function coreTableDeleteSamples(
  p: LabProvider,
  tables: readonly string[],
): Promise<MetricSample[]> {
  let cluster: string;
  try {
    cluster = (await readAppConfig(p.secrets)).dbClusterId;
  } catch {
    return [];
  }
  if (!p.clusters.list().some((c) => c.id === cluster) || !p.clusters.isRunning(cluster)) return [];
  const client = new pg.Client({
    ...p.clusters.connectionConfig(cluster, APP_DATABASE),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    const rows = (
      await client.query<{ relname: string; n_tup_del: string }>(
        `SELECT relname, n_tup_del FROM pg_stat_user_tables
          WHERE schemaname = 'public' AND relname = ANY($1::text[]) ORDER BY relname`,
        [tables],
      )
    ).rows;
    return rows.map((r) => ({
      name: 'drkit_table_rows_deleted_total',
      help: 'rows deleted from a core table of the cluster the app writes to (pg_stat_user_tables.n_tup_del; restarts on failover or restore)',
      labels: { cluster, table: r.relname },
      value: Number(r.n_tup_del),
      type: 'counter' as const,
    }));
  } catch {
    return [
      {
        name: 'drkit_metric_errors',
        help: '1 when a metric family could not be read on this scrape (the family is then absent)',
        labels: { cluster, family: 'core-table-deletes' },
        value: 1,
      },
    ];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Everything `drkit metrics` exports for a lab, read afresh: the lab's gauges, the core tables'
 * deleted-row counters, the search and email providers' health, the last drill
 * of each scenario from the evidence directory (a malformed report is named in
 * `drkit_metric_errors`), the last restore test (an unreadable record is named there too), and
 * the configured thresholds the alert rules compare against. With `history`, the lag gauges
 * are appended to the lag history (as often as it allows) for the dashboard's lag charts.
 */
export async function labScrape(
  p: LabProvider,
  config: DrkitConfig,
  baseDir: string,
  history?: LagHistory,
): Promise<MetricSample[]> {
  const { reports, skipped } = readEvidence(path.resolve(baseDir, config.reportsDir));
  const evidenceErrors: MetricSample[] = skipped.map((s) => ({
    name: 'drkit_metric_errors',
    help: '1 when a metric family could not be read on this scrape (the family is then absent)',
    labels: { cluster: '', family: `report:${s.file}` },
    value: 1,
  }));
  const restoreTest = readRestoreTestRecord(path.resolve(baseDir, config.stateDir));
  if (restoreTest.kind === 'malformed')
    evidenceErrors.push({
      name: 'drkit_metric_errors',
      help: '1 when a metric family could not be read on this scrape (the family is then absent)',
      labels: { cluster: '', family: `restore-test:${restoreTest.file}` },
      value: 1,
    });
  const lab = await labMetricSamples(p);
  history?.record(lab, 'metrics');
  return [
    ...lab,
    ...(await coreTableDeleteSamples(p, config.posture.coreTables)),
    ...(await providerUpSamples(p, config)),
    ...drillSamples(reports),
    ...restoreTestSamples(restoreTest),
    ...evidenceErrors,
    ...targetSamples(config),
  ];
}
