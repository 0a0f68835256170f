import type { Step } from '../../../engine/step.js';
import type { S3RestoreDeps, S3RestoreState } from '../context.js';

/** Step 6: tells people what was restored. */
export function notifyRestored(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'notify',
    title: 'Notify the outcome',
    retry: { attempts: 3 },
    when: () => deps.notifier !== undefined,
    plan: ({ state: s }) => [
      `${deps.notifier?.kind ?? 'notifier'}: notify "RB-N-03 restore of s3://${s.bucket}/${s.prefix} done"`,
    ],
    async run({ state: s }) {
      await deps.notifier!.notify({
        subject: `RB-N-03 restore of s3://${s.bucket}/${s.prefix} done`,
        body: [
          s.at ? `Restored to ${s.at}.` : `Restored from manifest ${s.manifest}.`,
          `${s.restoredCount ?? 0} keys restored, ${s.deletedCount ?? 0} given a delete marker, ${s.skippedCount ?? 0} unchanged.`,
          s.invalidationIds?.length
            ? `CDN invalidations: ${s.invalidationIds.join(', ')}.`
            : 'No CDN invalidation.',
          ...(s.planWarnings?.length ? [`Warnings: ${s.planWarnings.length}.`] : []),
        ].join('\n'),
        severity: 'info',
      });
      return { notifiedAt: new Date().toISOString() };
    },
  };
}
