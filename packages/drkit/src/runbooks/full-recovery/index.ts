import { UsageError } from '../../engine/errors.js';
import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import { sourceIdentity } from '../pitr-restore/identity.js';
import { pitrDepsOf, pitrInitialState, pitrRecoverySteps } from '../pitr-restore/index.js';
import { recoveryDone } from '../shared/incident.js';
import { notifyStep } from '../shared/steps/notify.js';
import type { FullRecoveryDeps, FullRecoveryState } from './context.js';
import { FullRecoveryParamsSchema } from './params.js';
import { checkHealth } from './steps/check-health.js';
import { loadTest } from './steps/load-test.js';
import { smokeTest } from './steps/smoke-test.js';

export type { FullRecoveryDeps, FullRecoveryState } from './context.js';
export { FullRecoveryParamsSchema } from './params.js';

/** The full recovery's id in journals and on the command line. */
export const FULL_RECOVERY_RUNBOOK_ID = 'full-recovery';
const TITLE = 'Full-service recovery (database, functions, cache, health, smoke and load test)';

/**
 * Seed 003's full-recovery.sh as a journaled runbook: the database phase is RB-N-02's own
 * steps (same ids: restore a new cluster to the target, validate, point the app and every
 * function at it, flush the app's cache prefix, unfreeze, retire the old cluster), then the
 * service is verified as a user meets it — health of the front door and of every task on the
 * restored cluster, the smoke tests, a short load test with latency and error-rate
 * thresholds — and people are told, with the figures.
 */
export function createFullRecoveryRunbook(deps: FullRecoveryDeps): Runbook<FullRecoveryState> {
  return {
    id: FULL_RECOVERY_RUNBOOK_ID,
    title: TITLE,
    // the same lock as RB-N-02: never two restores of one database at once
    lockKey: (p) => `database:${p.source}`,
    identity: (p) => sourceIdentity(deps.database, p.source),
    steps: [
      ...pitrRecoverySteps<FullRecoveryState>(deps),
      checkHealth(deps),
      smokeTest(),
      loadTest(deps),
      notifyStep<FullRecoveryState>(deps.notifier, {
        title: 'Notify: service recovered',
        retry: { attempts: 3 },
        message: ({ state: s, executionId }) => ({
          subject: `Resolved: service recovered on '${s.restoredClusterId ?? s.newClusterId}' (restored to ${s.restoredTo ?? s.target})`,
          body: [
            `execution ${executionId}`,
            `database: '${s.source}' restored as '${s.restoredClusterId ?? s.newClusterId}' in ${((s.restoreDurationMs ?? 0) / 1000).toFixed(1)} s; validation ${s.validation?.ok ? 'OK' : 'see report'}`,
            `functions repointed: ${s.functionsUpdated?.length ? s.functionsUpdated.join(', ') : 'none'}`,
            s.cacheFlush
              ? `cache: ${s.cacheFlush.keysDeleted} keys under '${s.cacheFlush.prefix}' flushed (${s.cacheFlush.where})`
              : 'cache: NOT flushed (no cache bound for the app)',
            `health: ${s.health?.serving.map((x) => x.what).join(', ') ?? 'not checked'}`,
            `smoke: ${s.smoke?.results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', ') ?? 'not run'}`,
            s.load
              ? `load: ${s.load.requests} requests, ${(s.load.errorRate * 100).toFixed(2)}% errors, p99 ${s.load.p99Ms} ms (limits ${(s.maxErrorRate * 100).toFixed(2)}%, ${s.maxP99Ms} ms)`
              : 'load: not run',
          ].join('\n'),
          severity: 'info',
        }),
        // the incident RB-N-02's declare step opened moves to monitoring, as RB-N-02's own notify does
        after: async ({ state: s }) =>
          await recoveryDone(
            deps.incidents,
            s.deskIncidentId,
            `service recovered on '${s.restoredClusterId ?? s.newClusterId}': health, smoke and load test passed. Monitoring.`,
          ),
      }),
    ],
  };
}

/** The full recovery as `drkit runbook run full-recovery` runs it. */
export const fullRecovery = defineRunbook({
  id: FULL_RECOVERY_RUNBOOK_ID,
  aliases: ['full-service-recovery'],
  title: TITLE,
  params: FullRecoveryParamsSchema,
  paramNote:
    "target is an ISO-8601 time with a zone, or latest; frontDoor defaults to the provider's",
  needs: ['database', 'appSecret', 'notifier', 'sql'],
  uses: [
    'databaseFunctions',
    'appTasks',
    'appCache',
    'dbCredentials',
    'incidents',
    'regionTopology',
  ],
  severity: 'SEV1',
  async normalize(raw, { ports, hint }): Promise<FullRecoveryState> {
    const p = parseParams(
      FullRecoveryParamsSchema,
      { appConfigSecret: ports.appSecret.defaultName, ...raw },
      hint,
    );
    const frontDoorUrl = p.frontDoor ?? ports.regionTopology?.frontDoorUrl;
    if (!frontDoorUrl)
      throw new UsageError(
        'the full recovery checks the service through its front door, and none is known',
        { hint: `give --param frontDoor=https://… (the provider has none); ${hint}` },
      );
    return { ...(await pitrInitialState(p, ports.appCache)), frontDoorUrl };
  },
  create: (ports) => createFullRecoveryRunbook(pitrDepsOf(ports)),
});
