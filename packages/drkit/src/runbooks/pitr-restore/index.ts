import type { Runbook } from '../../engine/runbook.js';
import type { Step } from '../../engine/step.js';
import { parseRestoreTarget } from '../../util/restore-target.js';
import type { AppCache } from '../../ports/cache.js';
import { utcStamp } from '../../util/time.js';
import { defineRunbook, parseParams, type RunbookPorts } from '../entry.js';
import type { PitrDeps, PitrState } from './context.js';
import { PitrParamsSchema, type PitrParams } from './params.js';
import { sourceIdentity } from './identity.js';
import { declareIncident, freezeWrites } from './steps/declare-and-freeze.js';
import { preflight } from './steps/preflight.js';
import { choosePath } from './steps/choose-path.js';
import { rebuildDelayedStandby } from './steps/rebuild-delayed-standby.js';
import { restoreToTime } from './steps/restore-to-time.js';
import { retireOldCluster, notifyDone } from './steps/retire-and-notify.js';
import { swapConnections, unfreezeWrites } from './steps/swap-and-unfreeze.js';
import { validateRestore } from './steps/validate-restore.js';
import { flushCacheStep } from '../shared/steps/flush-cache.js';
import { carryCredentials } from './steps/carry-credentials.js';

export type { PitrDeps, PitrState } from './context.js';
export { PitrParamsSchema, type PitrParams } from './params.js';

/** RB-N-02's id in journals and on the command line. */
export const PITR_RUNBOOK_ID = 'rb-n-02';
const TITLE = 'RB-N-02 point-in-time restore (logical corruption)';

/**
 * RB-N-02 — point-in-time restore after logical corruption (bad migration, mass delete):
 * check the inputs (changing nothing), choose the path (the region's delayed standby when the
 * target lies in its unapplied window, else the newest backup + WAL), declare and freeze writes,
 * restore a NEW cluster to the target, validate it, give it the app's current credential only
 * (with a `dbCredentials` port), swap the application to it, flush the app's cache (its prefix;
 * else it serves what the restore took away), unfreeze, rebuild the delayed standby the fast
 * path consumed, back up and stop the old cluster, notify. Unfreezing comes
 * before retiring the old cluster: the old one no longer takes writes once the app points
 * away from it, so its backup need not extend the outage.
 */
export function createPitrRunbook(deps: PitrDeps): Runbook<PitrState> {
  return {
    id: PITR_RUNBOOK_ID,
    title: TITLE,
    lockKey: (p) => `database:${p.source}`,
    identity: (p) => sourceIdentity(deps.database, p.source),
    steps: [...pitrRecoverySteps(deps), notifyDone(deps)],
  };
}

/**
 * RB-N-02's steps up to its notification: what the full-service recovery runs as its database
 * phase (same ids, same journal keys).
 */
export function pitrRecoverySteps<S extends PitrState>(deps: PitrDeps): Step<S>[] {
  const steps: Step<PitrState>[] = [
    preflight(deps),
    choosePath(deps),
    declareIncident(deps),
    freezeWrites(deps),
    restoreToTime(deps),
    validateRestore(deps),
    ...(deps.credentials ? [carryCredentials({ ...deps, credentials: deps.credentials })] : []),
    swapConnections(deps),
    flushCacheStep<PitrState>(deps.cache, {
      ...(deps.appTasks ? { appTasks: deps.appTasks } : {}),
      clusterOf: (s) => s.restoredClusterId,
    }),
    unfreezeWrites(deps),
    rebuildDelayedStandby(deps),
    retireOldCluster(deps),
  ];
  return steps as unknown as Step<S>[];
}

/** RB-N-02 as `drkit runbook run rb-n-02` (and the PITR drill) runs it. */
export const pitrRestore = defineRunbook({
  id: PITR_RUNBOOK_ID,
  aliases: ['pitr', 'pitr-restore'],
  title: TITLE,
  params: PitrParamsSchema,
  paramNote: 'target is an ISO-8601 time with a zone, or latest',
  needs: ['database', 'appSecret', 'notifier', 'sql'],
  uses: ['databaseFunctions', 'appTasks', 'appCache', 'dbCredentials', 'incidents'],
  severity: 'SEV1',
  async normalize(raw, { ports, hint }): Promise<PitrState> {
    const p = parseParams(
      PitrParamsSchema,
      { appConfigSecret: ports.appSecret.defaultName, ...raw },
      hint,
    );
    return await pitrInitialState(p, ports.appCache);
  },
  create: (ports) => createPitrRunbook(pitrDepsOf(ports)),
});

/** RB-N-02's deps from a provider's ports (the full recovery binds the same ones). */
export function pitrDepsOf(
  ports: RunbookPorts<
    'database' | 'appSecret' | 'notifier' | 'sql',
    'databaseFunctions' | 'appTasks' | 'appCache' | 'dbCredentials' | 'incidents'
  >,
): PitrDeps {
  return {
    database: ports.database,
    secrets: ports.appSecret.secrets,
    appSecretFormat: ports.appSecret.format,
    notifier: ports.notifier,
    connect: ports.sql,
    ...(ports.databaseFunctions ? { functions: ports.databaseFunctions } : {}),
    ...(ports.appTasks ? { appTasks: ports.appTasks } : {}),
    ...(ports.appCache ? { cache: ports.appCache } : {}),
    ...(ports.dbCredentials ? { credentials: ports.dbCredentials } : {}),
    ...(ports.incidents ? { incidents: ports.incidents } : {}),
  };
}

/**
 * RB-N-02's initial state from its parsed parameters: the target parsed once (steps read UTC
 * ISO; a malformed one is refused before anything runs), the new cluster's id, and the cache
 * prefix to flush (the parameter, else the app's own; none when the app has no cache).
 */
export async function pitrInitialState<P extends PitrParams>(
  p: P,
  cache: AppCache | undefined,
): Promise<P & PitrState> {
  const target = parseRestoreTarget(p.target);
  const prefix = p.cachePrefix ?? (await cache?.prefix());
  return {
    ...p,
    target: target === 'latest' ? target : target.toISOString(),
    newClusterId: p.newClusterId ?? `dr-${p.source}-${utcStamp()}`,
    ...(prefix ? { cachePrefix: prefix } : {}),
  };
}
