import type { Step } from '../../../engine/step.js';
import { cdnPaths, type S3RestoreDeps, type S3RestoreState } from '../context.js';

/** Step 4 (seed: `aws cloudfront create-invalidation`): purges the restored paths, batched. */
export function invalidateCdn(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'invalidate-cdn',
    title: 'Invalidate the restored paths in the CDN',
    retry: { attempts: 5, baseDelayMs: 2000 },
    when: ({ state: s }) => deps.cdn !== undefined && s.distributionId !== undefined,
    plan({ state: s, executionId }) {
      if (!deps.cdn || !s.distributionId)
        return ['no CDN bound or no distributionId: nothing to invalidate'];
      if (s.changedKeys === undefined && !s.invalidateWildcard) {
        return [
          `${deps.cdn.kind}: CreateInvalidation DistributionId=${s.distributionId} for each changed key (batches of 1000; the keys are known after plan-restore)`,
        ];
      }
      return deps.cdn.describeInvalidation(s.distributionId, cdnPaths(s), {
        reference: executionId,
      });
    },
    async run({ state: s, executionId }) {
      const paths = cdnPaths(s);
      if (!deps.cdn || !s.distributionId || paths.length === 0) return { invalidationIds: [] };
      // the execution id as reference: a resumed run re-sends the same batches, which
      // CloudFront answers with the existing invalidations instead of new ones
      const r = await deps.cdn.invalidate(s.distributionId, paths, { reference: executionId });
      return { invalidationIds: [...r.invalidationIds] };
    },
  };
}
