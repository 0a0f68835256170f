import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { S3RestoreDeps, S3RestoreState } from '../context.js';

/** Step 6: tells people what was restored. */
export function notifyRestored(deps: S3RestoreDeps): Step<S3RestoreState> {
  return notifyStep<S3RestoreState>(deps.notifier, {
    title: 'Notify the outcome',
    retry: { attempts: 3 },
    message: ({ state: s }) => ({
      subject: `RB-N-03 restore of s3://${s.bucket}/${s.prefix} done`,
      body: [
        s.at ? `Restored to ${s.at}.` : `Restored from manifest ${s.manifest}.`,
        `${s.restoredCount ?? 0} keys restored, ${s.deletedCount ?? 0} given a delete marker, ${s.skippedCount ?? 0} unchanged.`,
        ...(s.batchJobId
          ? [`${s.batchCopies ?? 0} keys copied by S3 Batch Operations job ${s.batchJobId}.`]
          : []),
        s.invalidationIds?.length
          ? `CDN invalidations: ${s.invalidationIds.join(', ')}.`
          : 'No CDN invalidation.',
        ...(s.planWarnings?.length ? [`Warnings: ${s.planWarnings.length}.`] : []),
      ].join('\n'),
      severity: 'info',
    }),
  });
}
