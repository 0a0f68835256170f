import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { CreateJobCommandInput } from '@aws-sdk/client-s3-control';
import type { BatchCopyJob, RestoreAction } from '../../ports/object-store.js';

/**
 * S3 Batch Operations for the copy part of a restore plan: the manifest CSV and the
 * `s3control:CreateJob` request (operation S3PutObjectCopy: each listed version copied over its
 * own key in the same bucket, metadata kept — what `copy` entries do in-process). Pure
 * functions; the adapter uploads the manifest and sends the request.
 */

/** The manifest format S3 Batch Operations reads: `bucket,key,versionId` per line. */
export const BATCH_MANIFEST_FORMAT = 'S3BatchOperations_CSV_20180820';

/**
 * One manifest line. S3 requires the key URL-encoded (a key may hold commas, quotes or line
 * breaks); `/` is left as is, as in S3's own inventory manifests.
 */
export function batchManifestLine(bucket: string, key: string, versionId: string): string {
  return `${bucket},${key.split('/').map(encodeURIComponent).join('/')},${versionId}`;
}

/**
 * Writes the copy entries of `actions` as a manifest CSV to `file` (via `.partial`, renamed
 * when complete), streaming: one plan entry in memory at a time.
 * @returns the number of lines written
 */
export async function writeBatchManifest(
  bucket: string,
  actions: AsyncIterable<RestoreAction>,
  file: string,
): Promise<number> {
  const fd = openSync(`${file}.partial`, 'w');
  let n = 0;
  let buf: string[] = [];
  try {
    for await (const a of actions) {
      if (a.kind !== 'copy') continue;
      buf.push(batchManifestLine(bucket, a.key, a.versionId));
      n++;
      if (buf.length >= 1024) {
        writeSync(fd, `${buf.join('\n')}\n`);
        buf = [];
      }
    }
    if (buf.length > 0) writeSync(fd, `${buf.join('\n')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${file}.partial`, file);
  return n;
}

/** `arn:aws:s3:::bucket[/key]`. */
function s3Arn(bucket: string, key?: string): string {
  return `arn:aws:s3:::${bucket}${key !== undefined ? `/${key}` : ''}`;
}

/**
 * The CreateJob request of `job` once its manifest is uploaded with `manifestETag`. The
 * execution id is the ClientRequestToken: a resumed run that submits again gets the same job,
 * never a second one.
 */
export function createJobInput(job: BatchCopyJob, manifestETag: string): CreateJobCommandInput {
  return {
    AccountId: job.accountId,
    ClientRequestToken: job.token,
    ConfirmationRequired: false,
    Description: job.description.slice(0, 256),
    Priority: job.priority ?? 10,
    RoleArn: job.roleArn,
    Operation: {
      S3PutObjectCopy: { TargetResource: s3Arn(job.bucket), MetadataDirective: 'COPY' },
    },
    Manifest: {
      Spec: { Format: BATCH_MANIFEST_FORMAT, Fields: ['Bucket', 'Key', 'VersionId'] },
      // S3 answers PutObject with the ETag in quotes; CreateJob wants the bare value
      Location: {
        ObjectArn: s3Arn(job.manifestBucket, job.manifestKey),
        ETag: manifestETag.replace(/"/g, ''),
      },
    },
    Report: {
      Bucket: s3Arn(job.reportBucket),
      Format: 'Report_CSV_20180820',
      Enabled: true,
      Prefix: job.reportPrefix,
      ReportScope: 'AllTasks',
    },
  };
}
