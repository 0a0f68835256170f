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
import {
  flipRouting,
  freezeWrites,
  scaleTargetRegion,
  unfreezeWrites,
  updateDbSecret,
} from '../region-failover/steps/app.js';
import { notifyDone, postChecks } from '../region-failover/steps/checks.js';
import { promoteStandby } from '../region-failover/steps/promote.js';
import {
  checkManagedSwitchover,
  checkStandbyReady,
  managedSwitchover,
  rejoinOldPrimary,
  stopOldPrimary,
  waitCaughtUp,
} from '../region-failover/steps/switchover.js';

/** The planned switchover's id in journals and on the command line. */
export const SWITCHOVER_RUNBOOK_ID = 'switchover';
const TITLE = 'Planned switchover (RPO 0)';

/**
 * The switchover steps, shared with RB-N-08: scale the target region → freeze →
 * stop the old primary cleanly → wait until the standby replayed its final LSN (RPO 0, asserted)
 * → promote → point the app at it → reroute → unfreeze. A backend with a managed switchover
 * (Aurora Global Database) does stop + catch up + promote in one call; RDS without a global
 * database refuses in the first step (its cross-region replicas cannot switch back).
 */
export function switchoverSteps(deps: RegionDeps) {
  if (deps.database.capabilities.has('managed-switchover')) {
    return [
      checkManagedSwitchover(deps),
      scaleTargetRegion(deps),
      freezeWrites(deps),
      managedSwitchover(deps),
      updateDbSecret(deps, { keepFrozen: true }),
      flipRouting(deps),
      unfreezeWrites(deps),
    ];
  }
  return [
    checkStandbyReady(deps),
    // Scaled before the freeze: starting tasks must not lengthen the write outage.
    scaleTargetRegion(deps),
    freezeWrites(deps),
    stopOldPrimary(deps),
    waitCaughtUp(deps),
    { ...promoteStandby(deps), when: undefined },
    updateDbSecret(deps, { keepFrozen: true }),
    flipRouting(deps),
    unfreezeWrites(deps),
  ];
}

/**
 * Planned switchover: moves the primary role and traffic to the other region with zero
 * acknowledged writes lost, then rejoins the old primary as a standby of the new one.
 */
export function createSwitchoverRunbook(deps: RegionDeps): Runbook<RegionState> {
  return {
    id: SWITCHOVER_RUNBOOK_ID,
    title: TITLE,
    lockKey: regionLockKey,
    steps: [
      ...switchoverSteps(deps),
      rejoinOldPrimary(deps),
      postChecks(deps),
      notifyDone(deps, 'planned switchover'),
    ],
  };
}

/** The planned switchover as `drkit runbook run`, `drkit switchover` and the region drills run it. */
export const switchoverRunbook = defineRunbook({
  id: SWITCHOVER_RUNBOOK_ID,
  aliases: ['planned-switchover'],
  title: TITLE,
  params: RegionFailoverParamsSchema,
  paramNote:
    'regions and clusters come from the provider (the direction: away from the region that writes now)',
  needs: REGION_PORTS,
  uses: ['appTasks'],
  normalize: (raw, { ports, hint }) => regionMoveParams(raw, ports, hint, 'planned switchover'),
  create: (ports) => createSwitchoverRunbook(regionDepsOf(ports)),
});
