import { z } from 'zod';
import { boolParam } from '../shared/bool-param.js';

/** Parameters of RB-N-03 (what `drkit runbook run rb-n-03 --param k=v` accepts). */
export const S3RestoreParamsSchema = z
  .object({
    /** The versioned bucket to restore. */
    bucket: z.string().min(3),
    /** Keys under this prefix are restored (point-in-time mode). @default '' (whole bucket) */
    prefix: z.string().default(''),
    /** Point-in-time mode: ISO-8601 instant with a zone; every key goes back to its state then. */
    at: z.string().optional(),
    /** Manifest mode: a CSV file of `key,versionId` lines (the seed's s3-restore-list.sh input). */
    manifest: z.string().optional(),
    /** CloudFront distribution to purge; no invalidation when absent. */
    distributionId: z.string().optional(),
    /** Prepended to each key to make the CDN path. @default '/' */
    cdnPathPrefix: z.string().default('/'),
    /** Above this many changed keys, invalidate `<cdnPathPrefix><prefix>*` instead. @default 1000 */
    wildcardAbove: z.coerce.number().int().positive().default(1000),
    /** Keys restored at once. @default 16 */
    concurrency: z.coerce.number().int().min(1).max(256).default(16),
    /** Copy old versions instead of removing delete markers (bucket policies denying DeleteObjectVersion). */
    preferCopy: boolParam().default(false),
    /** ListObjectVersions page size. @default 1000 */
    pageSize: z.coerce.number().int().min(1).max(1000).default(1000),
    /**
     * Above this many copies, the copies go to one S3 Batch Operations job instead of being made
     * in-process (deletes and delete-marker removals stay in-process).
     * @default config `aws.s3BatchOperations.above`, else never
     */
    batchOperationsAbove: z.coerce.number().int().positive().optional(),
    /** Submit the batch job (a real run on the batch path refuses without it). @default false */
    submitBatchJob: boolParam().default(false),
    /** Role S3 Batch Operations assumes. @default config `aws.s3BatchOperations.roleArn` */
    batchRoleArn: z.string().min(1).optional(),
    /** Account that owns the job. @default config `aws.s3BatchOperations.accountId` */
    batchAccountId: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    /** Bucket the manifest CSV is uploaded to. @default config `aws.s3BatchOperations.manifestBucket` */
    batchManifestBucket: z.string().min(3).optional(),
    /** Bucket of the job's completion report. @default the manifest bucket */
    batchReportBucket: z.string().min(3).optional(),
  })
  .strict()
  .refine((p) => (p.at === undefined) !== (p.manifest === undefined), {
    message: 'give exactly one of at=<time> or manifest=<file>',
  });

/** The batch job's settings a submission needs, named as their params. */
export const BATCH_SUBMIT_NEEDS = [
  'batchRoleArn',
  'batchAccountId',
  'batchManifestBucket',
] as const;

export type S3RestoreParams = z.infer<typeof S3RestoreParamsSchema>;
