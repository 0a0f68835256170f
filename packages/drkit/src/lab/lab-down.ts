import { rmSync } from 'node:fs';
import { stopAlerting } from './alerting.js';
import { stopCache } from './cache-lab.js';
import { stopPayments } from './payments-lab.js';
import type { LabProvider } from './provider.js';
import { reapScratchClusters } from './scratch-clusters.js';
import { stopRegionProcesses, stopWan } from './regions.js';
import { stopSearchServers } from './search-lab.js';

/** `drkit lab down`: stops alerting, every cluster, search server, localstripe and the cache; with `destroy`, removes the lab's state directory. */
export async function labDown(
  p: LabProvider,
  opts: { destroy?: boolean; progress?: (m: string) => void } = {},
): Promise<void> {
  // Alerting first: the shutdown below is no incident to page anyone about.
  await stopAlerting(p);
  // The front door and app tasks next: they hold connections to the clusters.
  await stopRegionProcesses(p);
  await stopPayments(p);
  await stopSearchServers(p);
  await stopCache(p);
  // A restore test killed before its cleanup left a scratch cluster: nothing else removes it.
  for (const id of await reapScratchClusters(p)) opts.progress?.(`removed scratch cluster ${id}`);
  for (const c of p.clusters.list()) {
    if (p.clusters.isRunning(c.id)) {
      opts.progress?.(`stopping ${c.id}`);
      await p.clusters.stop(c.id, 'fast');
    }
  }
  await stopWan(p);
  if (opts.destroy) {
    opts.progress?.(`removing ${p.paths.stateDir}`);
    rmSync(p.paths.labDir, { recursive: true, force: true });
    rmSync(p.paths.secretsDir, { recursive: true, force: true });
    rmSync(p.paths.labFile, { force: true });
    rmSync(p.paths.workDir, { recursive: true, force: true });
  }
}
