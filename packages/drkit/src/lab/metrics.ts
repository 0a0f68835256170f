import { pgBackRestMetrics } from '../adapters/postgres/pgbackrest-metrics.js';
import type { MetricSample } from '../ports/metrics.js';
import type { LabProvider } from './provider.js';

/**
 * The lab's live recovery-point gauges: every running primary that owns a pgBackRest stanza
 * (archive lag and failures, newest backup and restorable time, standby lag).
 */
export async function labMetricSamples(p: LabProvider): Promise<MetricSample[]> {
  const primaries: string[] = [];
  for (const c of p.clusters.list()) {
    if (!c.ownsStanza || !p.clusters.isRunning(c.id)) continue;
    if ((await p.database.describe(c.id)).role === 'primary') primaries.push(c.id);
  }
  return await pgBackRestMetrics(p.clusters, p.database, primaries);
}
