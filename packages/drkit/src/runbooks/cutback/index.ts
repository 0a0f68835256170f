import type { Runbook } from '../../engine/runbook.js';
import { regionLockKey, type RegionDeps, type RegionState } from '../region-failover/context.js';
import { scaleSourceRegion } from '../region-failover/steps/app.js';
import { notifyDone, postChecks } from '../region-failover/steps/checks.js';
import { rejoinOldPrimary } from '../region-failover/steps/switchover.js';
import { switchoverSteps } from '../switchover/index.js';

/** RB-N-08's id in journals and on the command line. */
export const CUTBACK_RUNBOOK_ID = 'rb-n-08';

/**
 * RB-N-08 — cutback (failback) after a regional failover: rebuild region A's old primary as a
 * standby of B (pg_rewind, or a fresh restore when rewinding is impossible) — the only way a
 * fenced old primary rejoins — then switch over back to A with RPO 0 asserted, rejoin B as
 * A's standby (synchronous again when configured) and scale B back to its warm size.
 * Parameters: fromRegion/fromCluster = B (current primary), toRegion/toCluster = A.
 */
export function createCutbackRunbook(deps: RegionDeps): Runbook<RegionState> {
  return {
    id: CUTBACK_RUNBOOK_ID,
    title: 'RB-N-08 cutback to the primary region (RPO 0)',
    lockKey: regionLockKey,
    steps: [
      rejoinOldPrimary(deps, { id: 'rebuild-target-standby', reverse: true }),
      ...switchoverSteps(deps),
      rejoinOldPrimary(deps, { id: 'rejoin-source-standby' }),
      scaleSourceRegion(deps),
      postChecks(deps),
      notifyDone(deps, 'RB-N-08 cutback'),
    ],
  };
}
