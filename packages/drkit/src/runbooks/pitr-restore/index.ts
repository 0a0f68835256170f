import type { Runbook } from '../../engine/runbook.js';
import type { PitrDeps, PitrState } from './context.js';
import { sourceIdentity } from './identity.js';
import { declareIncident, freezeWrites } from './steps/declare-and-freeze.js';
import { preflight } from './steps/preflight.js';
import { restoreToTime } from './steps/restore-to-time.js';
import { retireOldCluster, notifyDone } from './steps/retire-and-notify.js';
import { swapConnections, unfreezeWrites } from './steps/swap-and-unfreeze.js';
import { validateRestore } from './steps/validate-restore.js';

export type { PitrDeps, PitrState } from './context.js';
export { PitrParamsSchema, type PitrParams } from './params.js';

/** RB-N-02's id in journals and on the command line. */
export const PITR_RUNBOOK_ID = 'rb-n-02';

/**
 * RB-N-02 — point-in-time restore after logical corruption (bad migration, mass delete):
 * check the inputs (changing nothing), declare and freeze writes, restore a NEW cluster to the target, validate it, swap the
 * application to it, unfreeze, back up and stop the old cluster, notify. Unfreezing comes
 * before retiring the old cluster: the old one no longer takes writes once the app points
 * away from it, so its backup need not extend the outage.
 */
export function createPitrRunbook(deps: PitrDeps): Runbook<PitrState> {
  return {
    id: PITR_RUNBOOK_ID,
    title: 'RB-N-02 point-in-time restore (logical corruption)',
    lockKey: (p) => `database:${p.source}`,
    identity: (p) => sourceIdentity(deps.database, p.source),
    steps: [
      preflight(deps),
      declareIncident(deps),
      freezeWrites(deps),
      restoreToTime(deps),
      validateRestore(deps),
      swapConnections(deps),
      unfreezeWrites(deps),
      retireOldCluster(deps),
      notifyDone(deps),
    ],
  };
}
