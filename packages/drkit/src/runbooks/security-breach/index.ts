import type { Runbook } from '../../engine/runbook.js';
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
    title: 'Security breach: isolate the API, rotate credentials, sign everyone out',
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
    title: 'Security breach, way back: restore the API stages’ previous limits',
    lockKey: (p) => stagesLockKey(p.throttles.map((t) => `${t.apiId}/${t.stage}`)),
    steps: [checkStages(deps), restoreThrottles(deps), notifyRestored(deps)],
  };
}
