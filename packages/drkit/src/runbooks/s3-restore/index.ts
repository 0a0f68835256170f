import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import { restorePoint, type S3RestoreDeps, type S3RestoreState } from './context.js';
import { batchSettings } from './batch.js';
import { S3RestoreParamsSchema } from './params.js';
import { invalidateCdn } from './steps/invalidate-cdn.js';
import { notifyRestored } from './steps/notify.js';
import { planRestore } from './steps/plan-restore.js';
import { restoreObjects } from './steps/restore-objects.js';
import { submitBatchCopy } from './steps/submit-batch-copy.js';
import { verifyRestore } from './steps/verify-restore.js';

export type { S3RestoreDeps, S3RestoreState } from './context.js';
export { S3RestoreParamsSchema, type S3RestoreParams } from './params.js';
export { parseRestoreManifest } from './manifest.js';

/** RB-N-03's id in journals and on the command line. */
export const S3_RESTORE_RUNBOOK_ID = 'rb-n-03';
const TITLE = 'RB-N-03 S3 undelete/restore (versioned buckets)';

/**
 * RB-N-03 — S3 undelete/restore on a versioned bucket (accidental delete or overwrite, a purge
 * rolled back): list the versions once while planning per key (the plan streamed to a file
 * beside the journal); above `batchOperationsAbove` copies, hand the copies to one S3 Batch
 * Operations job; apply the plan (destructive; resumable entry by entry), purge the CDN, verify
 * (from the write answers, plus one final listing for concurrent writers), notify. Either a
 * prefix goes back to its state at a point in time, or each key of a CSV manifest goes back to
 * the listed version.
 */
export function createS3RestoreRunbook(deps: S3RestoreDeps): Runbook<S3RestoreState> {
  return {
    id: S3_RESTORE_RUNBOOK_ID,
    title: TITLE,
    lockKey: (p) => `object-store:${p.bucket}/${p.prefix}`,
    steps: [
      planRestore(deps),
      submitBatchCopy(deps),
      restoreObjects(deps),
      invalidateCdn(deps),
      verifyRestore(deps),
      notifyRestored(deps),
    ],
  };
}

/** RB-N-03 as `drkit runbook run rb-n-03` (and the S3 drill) runs it. */
export const s3Restore = defineRunbook({
  id: S3_RESTORE_RUNBOOK_ID,
  aliases: ['s3-restore', 's3-undelete'],
  title: TITLE,
  params: S3RestoreParamsSchema,
  paramNote:
    'exactly one of at=<ISO-8601 with zone> or manifest=<key,versionId CSV>; distributionId defaults to aws.cdnDistributionId, batch* to aws.s3BatchOperations',
  needs: ['objectStore'],
  uses: ['cdn', 'notifier'],
  normalize(raw, { config, hint, journalDir }): S3RestoreState {
    const p = parseParams(S3RestoreParamsSchema, raw, hint);
    if (p.at !== undefined) restorePoint(p); // refuses a malformed or future time before anything runs
    const distributionId = p.distributionId ?? config.aws.cdnDistributionId;
    return {
      ...p,
      ...batchSettings(p, config.aws.s3BatchOperations),
      ...(distributionId ? { distributionId } : {}),
      planDir: journalDir,
    };
  },
  create: (ports) =>
    createS3RestoreRunbook({
      store: ports.objectStore,
      ...(ports.cdn ? { cdn: ports.cdn } : {}),
      ...(ports.notifier ? { notifier: ports.notifier } : {}),
    }),
});
