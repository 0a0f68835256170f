import type { RegionDeps, RegionParams } from './context.js';

/**
 * RB-N-01's goal, read-only: the target region's database is a writable primary, the app's
 * endpoint secret names it, and the front door sends traffic to the target region. When all
 * three hold, the failover already happened: running it again would only stop things (the
 * old primary, again) and give wrong advice.
 * @returns why the goal holds, or undefined when any part does not
 */
export async function failoverGoalHolds(
  deps: RegionDeps,
  p: RegionParams,
): Promise<string | undefined> {
  const db = await deps.database.describe(p.toCluster);
  if (db.role !== 'primary' || !(db.status === 'running' || db.status === 'available'))
    return undefined;
  const app = deps.appSecretFormat.view(await deps.secrets.get(p.appConfigSecret));
  if (app.clusterId !== p.toCluster) return undefined;
  const route = await deps.router.status();
  if (route.activeRegion !== p.toRegion) return undefined;
  return `already failed over to ${p.toRegion}: ${p.toCluster} is the primary (${db.status}), ${p.appConfigSecret} names it and the front door routes to ${p.toRegion}; nothing was changed (to move back, run the cutback)`;
}
