import type { DrkitConfig } from '../../config/schema.js';
import { UsageError } from '../../engine/errors.js';
import type { BatchCopyJob } from '../../ports/object-store.js';
import type { S3RestoreState } from './context.js';
import { BATCH_SUBMIT_NEEDS, type S3RestoreParams } from './params.js';

/**
 * The batch path's settings: each `--param batch*` or, when absent, its config value
 * (`aws.s3BatchOperations`); the report goes to the manifest bucket unless told otherwise.
 * @throws UsageError when a submission lacks a setting it needs
 */
export function batchSettings(
  p: S3RestoreParams,
  cfg: DrkitConfig['aws']['s3BatchOperations'],
): Partial<S3RestoreParams> {
  const above = p.batchOperationsAbove ?? cfg?.above;
  if (above === undefined) return {};
  const out: Partial<S3RestoreParams> = {
    batchOperationsAbove: above,
    ...pick('batchRoleArn', p.batchRoleArn ?? cfg?.roleArn),
    ...pick('batchAccountId', p.batchAccountId ?? cfg?.accountId),
    ...pick('batchManifestBucket', p.batchManifestBucket ?? cfg?.manifestBucket),
  };
  const report = p.batchReportBucket ?? cfg?.reportBucket ?? out.batchManifestBucket;
  if (report) out.batchReportBucket = report;
  const missing = BATCH_SUBMIT_NEEDS.filter((k) => !out[k]);
  if (p.submitBatchJob && missing.length > 0) {
    throw new UsageError(
      `submitBatchJob=true needs ${missing.join(', ')}: the S3 Batch Operations job cannot be created without them`,
      {
        hint: `give ${missing.map((k) => `--param ${k}=…`).join(' ')} or set aws.s3BatchOperations in the config`,
      },
    );
  }
  return out;
}

function pick<K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> {
  return v ? ({ [k]: v } as Record<K, string>) : {};
}

/** True when the plan's copies go to a batch job (more of them than `batchOperationsAbove`). */
export function onBatchPath(s: S3RestoreState): boolean {
  return (
    s.batchOperationsAbove !== undefined && (s.plannedActions?.copy ?? 0) > s.batchOperationsAbove
  );
}

/** The job of this execution (its manifest beside the journal, keyed by the execution id). */
export function batchJobOf(
  s: S3RestoreState,
  executionId: string,
  manifestFile: string,
): BatchCopyJob {
  const prefix = s.manifest !== undefined ? 'manifest' : s.prefix || '(bucket)';
  return {
    bucket: s.bucket,
    manifestFile,
    manifestBucket: s.batchManifestBucket ?? '<batchManifestBucket>',
    manifestKey: `drkit/rb-n-03/${executionId}/manifest.csv`,
    accountId: s.batchAccountId ?? '<batchAccountId>',
    roleArn: s.batchRoleArn ?? '<batchRoleArn>',
    reportBucket: s.batchReportBucket ?? '<batchReportBucket>',
    reportPrefix: `drkit/rb-n-03/${executionId}/report`,
    token: executionId,
    description: `drkit RB-N-03 ${executionId}: copies restoring s3://${s.bucket}/${prefix}${s.at ? ` to ${s.at}` : ''}`,
  };
}
