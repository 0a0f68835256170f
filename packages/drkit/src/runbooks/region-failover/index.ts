import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook } from '../entry.js';
import {
  REGION_PORTS,
  regionDepsOf,
  regionLockKey,
  regionMoveParams,
  type RegionDeps,
  type RegionState,
} from './context.js';
import { RegionFailoverParamsSchema } from './params.js';
import { failoverGoalHolds } from './goal.js';
import { flipRouting, scaleTargetRegion, updateDbSecret } from './steps/app.js';
import { checkPrimaryHealth, decideRecovery } from './steps/check-primary-health.js';
import { notifyDone, postChecks } from './steps/checks.js';
import { reindexSearch } from './steps/search.js';
import { fenceOldPrimary, promoteStandby, restoreLatestBackup } from './steps/promote.js';

export type { RegionDeps, RegionParams, RegionState } from './context.js';
export { REGION_PORTS, regionDepsOf, regionLockKey, regionMoveParams } from './context.js';
export { RegionFailoverParamsSchema } from './params.js';

/** RB-N-01's id in journals and on the command line. */
export const REGION_FAILOVER_RUNBOOK_ID = 'rb-n-01';
const TITLE = 'RB-N-01 regional failover (unplanned)';

/**
 * RB-N-01 — unplanned regional failover A → B, the seed's state machine: CheckPrimaryHealth →
 * decide (promote the standby, or restore from the latest backup) → fence the old primary →
 * promote → update the DB endpoint secret → scale region B → flip routing → post-checks →
 * search: RB-N-04 into region B's search cluster (when the world has search) → notify. Writes acknowledged by A and not yet on B are lost unless replication is
 * synchronous; the drill counts them.
 */
export function createRegionFailoverRunbook(deps: RegionDeps): Runbook<RegionState> {
  return {
    id: REGION_FAILOVER_RUNBOOK_ID,
    title: TITLE,
    lockKey: regionLockKey,
    goalHolds: (p) => failoverGoalHolds(deps, p),
    steps: [
      checkPrimaryHealth(deps),
      decideRecovery(deps),
      fenceOldPrimary(deps),
      promoteStandby(deps),
      restoreLatestBackup(deps),
      updateDbSecret(deps),
      scaleTargetRegion(deps),
      flipRouting(deps),
      postChecks(deps),
      reindexSearch(deps),
      notifyDone(deps, 'RB-N-01 regional failover'),
    ],
  };
}

/** RB-N-01 as `drkit runbook run rb-n-01`, `drkit failover` and the region drills run it. */
export const regionFailover = defineRunbook({
  id: REGION_FAILOVER_RUNBOOK_ID,
  aliases: ['region-failover'],
  title: TITLE,
  params: RegionFailoverParamsSchema,
  paramNote:
    'regions, clusters and the secret come from the provider; force=true fails over a healthy-looking region',
  needs: REGION_PORTS,
  uses: ['appTasks'],
  normalize: (raw, { ports, hint }) => regionMoveParams(raw, ports, hint),
  create: (ports) => createRegionFailoverRunbook(regionDepsOf(ports)),
});
