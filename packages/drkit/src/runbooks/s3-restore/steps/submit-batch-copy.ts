import { CapabilityError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { batchJobOf, onBatchPath } from '../batch.js';
import { planDirOf, type S3RestoreDeps, type S3RestoreState } from '../context.js';
import { batchManifestPath, readPlan } from '../plan-file.js';

/**
 * Step 2, large restores only (more copies than `batchOperationsAbove`): writes the plan's
 * copies as an S3 Batch Operations manifest beside the journal and, with
 * `submitBatchJob=true`, uploads it and creates one job that makes them (S3PutObjectCopy);
 * restore-objects then applies the rest in-process. Without that param a real run stops here,
 * nothing changed, the manifest left for review. The execution id is the job's idempotency
 * token: a resumed run gets the same job.
 */
export function submitBatchCopy(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'submit-batch-copy',
    title: 'Hand the copies to one S3 Batch Operations job (above batchOperationsAbove copies)',
    destructive: true,
    retry: { attempts: 3 },
    timeoutMs: 60 * 60_000,
    when: ({ state: s }) => {
      if (s.batchOperationsAbove === undefined) return false;
      if (s.plannedActions === undefined) throw new Error('known once plan-restore has counted');
      return onBatchPath(s);
    },
    plan: ({ state: s, executionId }) => {
      if (s.batchOperationsAbove === undefined)
        return ['no batchOperationsAbove: every copy is made in-process'];
      const file = batchManifestPath(planDirOf(s), executionId);
      return [
        `if the plan has more than ${s.batchOperationsAbove} copies: write them to ${file} (bucket,key,versionId; keys URL-encoded), then${s.submitBatchJob ? '' : ' (only with --param submitBatchJob=true; without it the run stops here, nothing changed)'}:`,
        ...deps.store.describeBatchCopy(batchJobOf(s, executionId, file)),
      ];
    },
    async run({ state: s, executionId }) {
      if (!deps.store.capabilities.has('batch-copy')) {
        throw new CapabilityError(`object store ${deps.store.kind} has no batch-copy service`, {
          hint: 'leave batchOperationsAbove unset to restore in-process',
        });
      }
      const file = batchManifestPath(planDirOf(s), executionId);
      const actions = async function* () {
        for await (const e of readPlan(s.planFile!)) yield e.a;
      };
      const copies = await deps.store.writeBatchCopyManifest(s.bucket, actions(), file);
      if (!s.submitBatchJob) {
        throw new PreconditionError(
          `${copies} copies are above batchOperationsAbove=${s.batchOperationsAbove}: they are meant for one S3 Batch Operations job, written to ${file}; nothing was changed`,
          {
            hint: 'review the manifest, then run again with --param submitBatchJob=true (and batchRoleArn, batchAccountId, batchManifestBucket), or raise batchOperationsAbove to restore in-process',
          },
        );
      }
      const job = batchJobOf(s, executionId, file);
      const { jobId } = await deps.store.submitBatchCopy(job);
      return {
        batchJobId: jobId,
        batchCopies: copies,
        batchManifestFile: file,
        batchReport: `s3://${job.reportBucket}/${job.reportPrefix}`,
      };
    },
  };
}
