import type { Step } from '../../../engine/step.js';
import { countActions, makePlan, type S3RestoreDeps, type S3RestoreState } from '../context.js';

/**
 * Step 2: works out, per key, what brings it back (copy a version over the latest, remove
 * delete markers, put a delete marker, nothing). Read-only; it records the keys that will
 * change before any of them is changed, so the CDN purge covers them even after a resume.
 */
export function planRestore(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'plan-restore',
    title: 'Plan the restore key by key',
    retry: { attempts: 3 },
    async plan({ state: s }) {
      const plan = await makePlan(deps, s);
      const c = countActions(plan);
      return [
        `${s.manifest !== undefined ? `manifest ${s.manifest}` : `state of s3://${s.bucket}/${s.prefix} at ${s.at}`}: ${c.copy} copy, ${c['remove-delete-markers']} undelete, ${c.delete} delete-marker, ${c.none} unchanged`,
        ...plan.warnings.map((w) => `warning: ${w}`),
      ];
    },
    async run({ state: s }) {
      const plan = await makePlan(deps, s);
      const changed = plan.actions.filter((a) => a.kind !== 'none').map((a) => a.key);
      const wildcard = changed.length > s.wildcardAbove && s.manifest === undefined;
      return {
        plannedActions: countActions(plan),
        planWarnings: [...plan.warnings],
        ...(wildcard ? { invalidateWildcard: true, changedKeys: [] } : { changedKeys: changed }),
      };
    },
  };
}
