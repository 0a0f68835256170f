/**
 * The CDN port: purges cached copies of paths after a restore (CloudFront, or the lab's front
 * door cache).
 *
 * Contract: `invalidate` splits paths into batches the CDN accepts and is idempotent for a
 * given `reference` (running it twice with the same reference creates no second
 * invalidation); an unknown distribution is a `NotFoundError`; a CDN that is rate-limiting
 * invalidations raises a retryable `DrError('THROTTLED')`.
 */
export interface Cdn {
  /** Adapter name, e.g. `aws-cloudfront`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<CdnCapability>;

  /** Invalidates `paths` (each starting with `/`; `*` only as the last character). */
  invalidate(
    distributionId: string,
    paths: ReadonlyArray<string>,
    opts?: InvalidateOptions,
  ): Promise<InvalidationResult>;

  /** The exact API calls `invalidate` would make, one line each (for dry-run). */
  describeInvalidation(
    distributionId: string,
    paths: ReadonlyArray<string>,
    opts?: InvalidateOptions,
  ): string[];
}

export type CdnCapability = 'invalidation' | 'wildcard-invalidation' | 'wait-for-invalidation';

export interface InvalidateOptions {
  /** Paths per invalidation request. @default 1000 */
  readonly batchSize?: number;
  /** Idempotency reference (e.g. the execution id); batch `i` uses `<reference>-<i>`. @default a timestamp */
  readonly reference?: string;
  /** Wait until every invalidation has completed. @default false */
  readonly wait?: boolean;
  /** Longest wait, in seconds. @default 900 */
  readonly maxWaitSeconds?: number;
}

export interface InvalidationResult {
  readonly distributionId: string;
  /** One id per batch. */
  readonly invalidationIds: ReadonlyArray<string>;
  readonly paths: number;
  /** `Completed` or `InProgress`, per batch. */
  readonly statuses: ReadonlyArray<string>;
}
