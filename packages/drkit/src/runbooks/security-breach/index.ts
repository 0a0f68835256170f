import type { DrkitConfig } from '../../config/schema.js';
import type { Runbook } from '../../engine/runbook.js';
import { utcStamp } from '../../util/time.js';
import { defineRunbook, parseParams, type RunbookPorts } from '../entry.js';
import { previousThrottlesFromJournal } from './from-journal.js';
import {
  RestoreAccessParamsSchema,
  SecurityBreachParamsSchema,
  type SecurityBreachParams,
} from './params.js';
import {
  stagesLockKey,
  type RestoreAccessState,
  type SecurityBreachDeps,
  type SecurityBreachState,
} from './context.js';
import { declareBreach } from './steps/declare.js';
import { isolateApi } from './steps/isolate-api.js';
import { notifyDone } from './steps/notify-done.js';
import { preflight } from './steps/preflight.js';
import { recordEvidence } from './steps/record-evidence.js';
import { checkStages, notifyRestored, restoreThrottles } from './steps/restore-throttles.js';
import { rotateCredentials } from './steps/rotate-credentials.js';
import { signOutUsers } from './steps/sign-out-users.js';

export type {
  BreachEvidence,
  RestoreAccessState,
  SecretRotation,
  SecurityBreachDeps,
  SecurityBreachState,
  UserPools,
} from './context.js';
export { previousThrottlesFromJournal } from './from-journal.js';
export {
  RestoreAccessParamsSchema,
  SecurityBreachParamsSchema,
  formatStageLimits,
  parseStageLimits,
  type RestoreAccessParams,
  type SecurityBreachParams,
} from './params.js';

/** The security-breach runbook's id in journals and on the command line. */
export const SECURITY_BREACH_RUNBOOK_ID = 'security-breach';
/** Its way back: the recorded API limits put back once the investigation clears it. */
export const RESTORE_ACCESS_RUNBOOK_ID = 'security-breach-restore-access';
const TITLE = 'Security breach: isolate the API, rotate credentials, sign everyone out';
const RESTORE_TITLE = 'Security breach, way back: restore the API stages’ previous limits';

/**
 * Security breach (seed scenario 5: isolate, rotate credentials, investigate): check every
 * target, page, cut the API stages to zero (recording their limits), rotate the secrets, sign
 * every user out, record the evidence, notify. Investigation and restore from a known-good
 * backup stay with people (RB-N-02/RB-N-03 do the restores).
 */
export function createSecurityBreachRunbook(
  deps: SecurityBreachDeps,
): Runbook<SecurityBreachState> {
  return {
    id: SECURITY_BREACH_RUNBOOK_ID,
    title: TITLE,
    lockKey: (p) => stagesLockKey(p.apiStages),
    steps: [
      preflight(deps),
      declareBreach(deps),
      isolateApi(deps),
      rotateCredentials(deps),
      signOutUsers(deps),
      recordEvidence(deps),
      notifyDone(deps),
    ],
  };
}

/** Puts back the API limits a security-breach run recorded (or the ones given). */
export function createRestoreAccessRunbook(deps: SecurityBreachDeps): Runbook<RestoreAccessState> {
  return {
    id: RESTORE_ACCESS_RUNBOOK_ID,
    title: RESTORE_TITLE,
    lockKey: (p) => stagesLockKey(p.throttles.map((t) => `${t.apiId}/${t.stage}`)),
    steps: [checkStages(deps), restoreThrottles(deps), notifyRestored(deps)],
  };
}

/** The ports both security-breach runbooks need. */
const BREACH_PORTS = ['apiGateway', 'identity', 'secretRotation', 'userPools', 'notifier'] as const;
type BreachPorts = RunbookPorts<(typeof BREACH_PORTS)[number], 'incidents'>;

function breachDeps(p: BreachPorts): SecurityBreachDeps {
  return {
    apiGateway: p.apiGateway,
    identity: p.identity,
    rotation: p.secretRotation,
    pools: p.userPools,
    notifier: p.notifier,
    ...(p.incidents ? { incidents: p.incidents } : {}),
  };
}

/** The security-breach parameters set in config (`aws.breach`); `--param` values override them. */
export function breachDefaults(config: DrkitConfig): Partial<SecurityBreachParams> {
  const b = config.aws.breach;
  return {
    ...(b.apiStages.length ? { apiStages: b.apiStages } : {}),
    ...(b.rotateSecrets.length ? { rotateSecrets: b.rotateSecrets } : {}),
    ...(b.userPools.length ? { userPools: b.userPools } : {}),
    ...(b.rotationLambdaArn ? { rotationLambdaArn: b.rotationLambdaArn } : {}),
  };
}

/**
 * The targets a world with one of each names itself (the lab: its front door's API, the app
 * secret, the app's sessions); config and `--param` override them.
 */
function portDefaults(p: BreachPorts): Partial<SecurityBreachParams> {
  return {
    // optional chaining: a test may normalize without ports
    ...(p.apiGateway?.defaultStages?.length ? { apiStages: [...p.apiGateway.defaultStages] } : {}),
    ...(p.secretRotation?.defaultSecrets?.length
      ? { rotateSecrets: [...p.secretRotation.defaultSecrets] }
      : {}),
    ...(p.userPools?.defaultPools?.length ? { userPools: [...p.userPools.defaultPools] } : {}),
  };
}

/** The security-breach runbook as `drkit runbook run security-breach` runs it. */
export const securityBreach = defineRunbook({
  id: SECURITY_BREACH_RUNBOOK_ID,
  aliases: ['sb'],
  title: TITLE,
  params: SecurityBreachParamsSchema,
  paramNote:
    'lists are comma-separated; apiStages, rotateSecrets and userPools default to aws.breach in the config (on the lab: front-door/api, drkit/app, app)',
  needs: BREACH_PORTS,
  uses: ['incidents'],
  severity: 'SEV1',
  normalize(raw, { config, hint, ports }): SecurityBreachState {
    return parseParams(
      SecurityBreachParamsSchema,
      {
        incidentId: `SEC-${utcStamp()}`,
        ...portDefaults(ports),
        ...breachDefaults(config),
        ...raw,
      },
      hint,
    );
  },
  create: (ports) => createSecurityBreachRunbook(breachDeps(ports)),
});

/** The way back, as `drkit runbook run security-breach-restore-access` runs it. */
export const securityBreachRestoreAccess = defineRunbook({
  id: RESTORE_ACCESS_RUNBOOK_ID,
  aliases: ['sb-restore-access'],
  title: RESTORE_TITLE,
  params: RestoreAccessParamsSchema,
  paramNote: 'fromExecution=<security-breach execution id> or throttles=<apiId/stage=rate:burst,…>',
  needs: BREACH_PORTS,
  normalize(raw, { journalDir, hint }): RestoreAccessState {
    // the limits come from the breach run's journal: what it read before cutting, not what
    // someone remembers; explicit `throttles` win (e.g. after a journal was lost)
    let fromJournal: Record<string, unknown> = {};
    if (typeof raw.fromExecution === 'string' && raw.throttles === undefined) {
      const r = previousThrottlesFromJournal(journalDir, raw.fromExecution);
      fromJournal = {
        throttles: r.throttles,
        ...(r.incidentId ? { incidentId: r.incidentId } : {}),
      };
    }
    return parseParams(RestoreAccessParamsSchema, { ...fromJournal, ...raw }, hint);
  },
  create: (ports) => createRestoreAccessRunbook(breachDeps(ports)),
});
