import { DrError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { makePlan, type S3RestoreDeps, type S3RestoreState } from '../context.js';

/**
 * Step 3 (destructive; seed: `aws s3api copy-object` per key, or s3-restore-list.sh): plans
 * again from the bucket's current state and applies it with bounded concurrency. Planning
 * again is what makes it safe to run twice: keys already restored plan as `none`.
 */
export function restoreObjects(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'restore-objects',
    title: 'Restore objects (copy versions, remove delete markers, put delete markers)',
    destructive: true,
    retry: { attempts: 3 },
    timeoutMs: 4 * 60 * 60_000,
    async plan({ state: s }) {
      const lines = deps.store.describePlan(await makePlan(deps, s));
      return lines.length > 0
        ? [...lines, `(${lines.length} calls, ${s.concurrency} at a time)`]
        : ['nothing to restore'];
    },
    async run({ state: s, progress, signal }) {
      const plan = await makePlan(deps, s);
      let last = 0;
      const summary = await deps.store.applyRestorePlan(plan, {
        concurrency: s.concurrency,
        signal,
        onProgress: (p) => {
          if (p.done === p.total || Date.now() - last > 2000) {
            last = Date.now();
            progress(`${p.done}/${p.total} keys, ${p.failed} failed`);
          }
        },
      });
      if (summary.failed.length > 0) {
        throw new DrError(
          'EXTERNAL',
          `${summary.failed.length} of ${summary.failed.length + summary.restored.length + summary.deleted.length} keys failed to restore`,
          {
            retryable: summary.failed.every((f) => f.retryable),
            hint: 'running the step again retries only the keys still different from the target state',
            details: {
              failed: summary.failed.slice(0, 50),
              restored: summary.restored.length,
              deleted: summary.deleted.length,
            },
          },
        );
      }
      return {
        restoredCount: summary.restored.length,
        deletedCount: summary.deleted.length,
        skippedCount: summary.skipped.length,
        restoreDurationMs: summary.durationMs,
      };
    },
  };
}
