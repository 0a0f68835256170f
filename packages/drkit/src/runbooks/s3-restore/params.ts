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
  })
  .strict()
  .refine((p) => (p.at === undefined) !== (p.manifest === undefined), {
    message: 'give exactly one of at=<time> or manifest=<file>',
  });

export type S3RestoreParams = z.infer<typeof S3RestoreParamsSchema>;
