import path from 'node:path';
import { pgBackRestMetrics } from '../adapters/postgres/pgbackrest-metrics.js';
import type { DrkitConfig } from '../config/schema.js';
import type { MetricSample } from '../ports/metrics.js';
import { readEvidence } from '../report/evidence.js';
import { drillSamples, targetSamples } from '../report/prometheus.js';
import { readRestoreTestRecord, restoreTestSamples } from '../report/restore-test-record.js';
import { readAppConfig } from './app-config.js';
import type { LabProvider } from './provider.js';

/**
 * The lab's live recovery-point gauges: whether the cluster the app writes to answers as a
 * primary, and for every running primary that owns a pgBackRest stanza archive lag and
 * failures, newest backup and restorable time, standby lag.
 */
export async function labMetricSamples(p: LabProvider): Promise<MetricSample[]> {
  const primaries: string[] = [];
  for (const c of p.clusters.list()) {
    if (!c.ownsStanza || !p.clusters.isRunning(c.id)) continue;
    if ((await p.database.describe(c.id)).role === 'primary') primaries.push(c.id);
  }
  return [
    ...(await primaryUpSamples(p)),
    ...(await pgBackRestMetrics(p.clusters, p.database, primaries)),
  ];
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
 * Everything `drkit metrics` exports for a lab, read afresh: the lab's gauges, the last drill
 * of each scenario from the evidence directory (a malformed report is named in
 * `drkit_metric_errors`), the last restore test (an unreadable record is named there too), and
 * the configured thresholds the alert rules compare against.
 */
export async function labScrape(
  p: LabProvider,
  config: DrkitConfig,
  baseDir: string,
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
  return [
    ...(await labMetricSamples(p)),
    ...drillSamples(reports),
    ...restoreTestSamples(restoreTest),
    ...evidenceErrors,
    ...targetSamples(config),
  ];
}
