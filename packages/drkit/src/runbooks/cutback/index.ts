import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook } from '../entry.js';
import {
  REGION_PORTS,
  regionDepsOf,
  regionLockKey,
  regionMoveParams,
  type RegionDeps,
  type RegionState,
} from '../region-failover/context.js';
import { RegionFailoverParamsSchema } from '../region-failover/params.js';
import { scaleSourceRegion } from '../region-failover/steps/app.js';
import { notifyDone, postChecks } from '../region-failover/steps/checks.js';
import { rejoinOldPrimary } from '../region-failover/steps/switchover.js';
import { switchoverSteps } from '../switchover/index.js';

/** RB-N-08's id in journals and on the command line. */
export const CUTBACK_RUNBOOK_ID = 'rb-n-08';
const TITLE = 'RB-N-08 cutback to the primary region (RPO 0)';

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
    title: TITLE,
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

/** RB-N-08 as `drkit runbook run`, `drkit cutback` and the region drills run it. */
export const cutbackRunbook = defineRunbook({
  id: CUTBACK_RUNBOOK_ID,
  aliases: ['cutback', 'failback'],
  title: TITLE,
  params: RegionFailoverParamsSchema,
  paramNote:
    'regions and clusters come from the provider (the direction: away from the region that writes now)',
  needs: REGION_PORTS,
  uses: ['appTasks'],
  normalize: (raw, { ports, hint }) => regionMoveParams(raw, ports, hint, 'cutback after failover'),
  create: (ports) => createCutbackRunbook(regionDepsOf(ports)),
});
