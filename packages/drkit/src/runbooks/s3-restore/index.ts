import type { Runbook } from '../../engine/runbook.js';
import type { S3RestoreDeps, S3RestoreState } from './context.js';
import { invalidateCdn } from './steps/invalidate-cdn.js';
import { listVersions } from './steps/list-versions.js';
import { notifyRestored } from './steps/notify.js';
import { planRestore } from './steps/plan-restore.js';
import { restoreObjects } from './steps/restore-objects.js';
import { verifyRestore } from './steps/verify-restore.js';

export type { S3RestoreDeps, S3RestoreState } from './context.js';
export { S3RestoreParamsSchema, type S3RestoreParams } from './params.js';
export { parseRestoreManifest } from './manifest.js';

/** RB-N-03's id in journals and on the command line. */
export const S3_RESTORE_RUNBOOK_ID = 'rb-n-03';

/**
 * RB-N-03 — S3 undelete/restore on a versioned bucket (accidental delete or overwrite, a purge
 * rolled back): list versions, plan per key, restore (destructive), purge the CDN, verify,
 * notify. Either a prefix goes back to its state at a point in time, or each key of a CSV
 * manifest goes back to the listed version.
 */
export function createS3RestoreRunbook(deps: S3RestoreDeps): Runbook<S3RestoreState> {
  return {
    id: S3_RESTORE_RUNBOOK_ID,
    title: 'RB-N-03 S3 undelete/restore (versioned buckets)',
    lockKey: (p) => `object-store:${p.bucket}/${p.prefix}`,
    steps: [
      listVersions(deps),
      planRestore(deps),
      restoreObjects(deps),
      invalidateCdn(deps),
      verifyRestore(deps),
      notifyRestored(deps),
    ],
  };
}
