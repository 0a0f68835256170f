import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { makePlan, type S3RestoreDeps, type S3RestoreState } from '../context.js';

/** Step 5: plans again; every key must now be at its target state (nothing left to do). */
export function verifyRestore(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'verify-restore',
    title: 'Verify every key is at its target state',
    retry: { attempts: 3 },
    plan: () => [
      `${deps.store.kind}: list versions again and check that no key still differs from its target (read-only)`,
    ],
    async run({ state: s }) {
      const plan = await makePlan(deps, s);
      const left = plan.actions.filter((a) => a.kind !== 'none');
      if (left.length > 0) {
        throw new ValidationFailedError(
          `${left.length} key(s) still differ from their target state`,
          {
            details: { keys: left.slice(0, 50).map((a) => `${a.key}: ${a.kind}`) },
            hint: 'something wrote to the bucket during the restore, or a key failed; run the runbook again',
          },
        );
      }
      return { verifiedAt: new Date().toISOString() };
    },
  };
}
