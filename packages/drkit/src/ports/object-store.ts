/**
 * The object-store port: a versioned bucket (S3, or the moto server in the lab) whose objects
 * can be listed by version, restored to a prior version, undeleted, and rolled back as a whole
 * prefix to a point in time.
 *
 * Contract for every implementation:
 * - Nothing here ever deletes an object *version* permanently. Restores write new versions
 *   (copies) or delete markers; "undelete" removes delete markers only. Locked versions
 *   (Object Lock) are therefore never touched.
 * - A missing bucket is a `NotFoundError`; `getObject` of a key whose latest version is a
 *   delete marker (or that never existed) is a `NotFoundError`.
 * - `applyRestorePlan` with `dryRun` makes no mutating call; without it, it is safe to run
 *   twice: planning again after a complete run yields only `none` actions.
 * - One failed key never aborts the others: failures are reported in the summary.
 */
export interface ObjectStore {
  /** Adapter name, e.g. `aws-s3`. */
  readonly kind: string;
  /** What this backend can do; runbooks check before calling. */
  readonly capabilities: ReadonlySet<ObjectStoreCapability>;

  /**
   * Every version and delete marker under `prefix`, following every page (including pages
   * that hold only delete markers). Entries of one key are newest first.
   * @throws NotFoundError when the bucket does not exist
   */
  listVersions(bucket: string, opts?: ListVersionsOptions): Promise<VersionListing>;

  /**
   * The exact calls `listVersions(bucket, opts)` makes, one line each (for `--dry-run`); the
   * page count is known only at run time.
   */
  planListVersions(
    bucket: string,
    opts?: Pick<ListVersionsOptions, 'prefix' | 'pageSize'>,
  ): string[];

  /**
   * Every current object under `prefix` (ListObjectsV2: latest versions only, no delete
   * markers), handing each page's entries in key order to `onPage` before the next page.
   * @returns the number of pages read
   */
  eachLatestPage(
    bucket: string,
    opts: Pick<ListVersionsOptions, 'prefix' | 'pageSize'>,
    onPage: (entries: ReadonlyArray<LatestEntry>) => void | Promise<void>,
  ): Promise<number>;

  /** The calls `eachLatestPage` makes (for `--dry-run`). */
  planListLatest(bucket: string, opts: Pick<ListVersionsOptions, 'prefix' | 'pageSize'>): string[];

  /** The body of the latest (or the given) version. @throws NotFoundError */
  getObject(bucket: string, key: string, versionId?: string): Promise<Uint8Array>;

  /**
   * Restores a prior version by copying it over the latest (a new version with the same
   * content and metadata). @throws NotFoundError when the version does not exist
   */
  restoreVersion(bucket: string, key: string, versionId: string): Promise<void>;

  /**
   * Undeletes a key by removing the delete markers above its newest object version.
   * Returns the version ids of the removed markers (empty when the key was not deleted).
   * @throws NotFoundError when the key has no object version to revive
   */
  undelete(bucket: string, key: string): Promise<string[]>;

  /**
   * Plans restoring every key under `prefix` to its state at `at`: the newest version at or
   * before `at` per key; keys deleted at `at` or created after it are deleted (a delete
   * marker). Read-only.
   */
  planRestoreToTime(
    bucket: string,
    prefix: string,
    at: Date,
    opts?: PlanOptions,
  ): Promise<RestorePlan>;

  /**
   * The same plan as `planRestoreToTime`, streamed: one listing pass, each key's action handed
   * to `onAction` in key order as soon as the key's last entry has been read. Memory is bounded
   * by one listing page plus the entries of the key being read, whatever the prefix holds.
   * Read-only.
   * @throws PreconditionError when the bucket is not versioned (a restore needs old versions)
   * @throws NotFoundError when the bucket does not exist
   */
  streamRestoreToTime(
    bucket: string,
    prefix: string,
    at: Date,
    opts: StreamPlanOptions,
  ): Promise<PlanStreamSummary>;

  /**
   * Applies one action and returns the version ids its writes made (the CopyObject's new
   * version, the delete marker put) or removed (delete-marker removals), from the write
   * responses: they prove the write without reading the key again. A `none` action makes no
   * call. Not retried here (the caller owns retries and back-off).
   * @throws DrError (THROTTLED when S3 answers SlowDown after the SDK's retries)
   */
  applyAction(bucket: string, action: RestoreAction): Promise<AppliedAction>;

  /**
   * Whether the key already shows the effect of `action` (a write whose answer was lost in a
   * crash): reads that one key's versions, never the prefix. `remove-delete-markers` is
   * idempotent and always reports false.
   */
  actionTookEffect(bucket: string, action: RestoreAction): Promise<boolean>;

  /** Plans restoring each listed key to the listed version (a CSV manifest). Read-only. */
  planRestoreFromManifest(
    bucket: string,
    entries: ReadonlyArray<ManifestEntry>,
    opts?: PlanOptions,
  ): Promise<RestorePlan>;

  /** The exact API calls `applyRestorePlan` would make, one line each (for dry-run). */
  describePlan(plan: RestorePlan): string[];

  /** Carries out a plan with bounded concurrency, reporting progress. */
  applyRestorePlan(plan: RestorePlan, opts?: ApplyOptions): Promise<RestoreSummary>;

  /**
   * Capability `batch-copy`: writes the `copy` entries of `actions` (streamed) to `file` in the
   * format of the provider's bulk-copy service (S3 Batch Operations: a `bucket,key,versionId`
   * CSV). Local only: nothing is sent. Returns the entries written.
   */
  writeBatchCopyManifest(
    bucket: string,
    actions: AsyncIterable<RestoreAction>,
    file: string,
  ): Promise<number>;

  /** The exact calls `submitBatchCopy(job)` makes, one line or block each (for dry-run). */
  describeBatchCopy(job: BatchCopyJob): string[];

  /**
   * Capability `batch-copy`: uploads the manifest and creates the bulk-copy job (S3: PutObject
   * of the CSV, then s3control:CreateJob with S3PutObjectCopy). Idempotent on `job.token`:
   * submitting the same job twice yields the same job id. The job runs asynchronously.
   * @throws DrError as translated from the provider (ACCESS_DENIED for a role that cannot run it)
   */
  submitBatchCopy(job: BatchCopyJob): Promise<{ readonly jobId: string }>;
}

export type ObjectStoreCapability =
  | 'versioning'
  | 'delete-markers'
  | 'object-lock'
  | 'point-in-time'
  | 'manifest-restore'
  | 'batch-copy';

/** A bulk-copy job: the copy part of a restore plan, handed to the provider's batch service. */
export interface BatchCopyJob {
  /** The bucket restored: each listed version is copied over its own key there. */
  readonly bucket: string;
  /** The local manifest written by `writeBatchCopyManifest`. */
  readonly manifestFile: string;
  /** Where the manifest is uploaded (the job reads it from there). */
  readonly manifestBucket: string;
  readonly manifestKey: string;
  /** The account that owns the job (S3 Control is per account). */
  readonly accountId: string;
  /** The IAM role the service assumes to read the manifest, copy, and write the report. */
  readonly roleArn: string;
  /** Where the completion report goes. */
  readonly reportBucket: string;
  readonly reportPrefix: string;
  /** Idempotency token (the execution id): a resumed run never creates a second job. */
  readonly token: string;
  readonly description: string;
  /** Job priority (higher runs first). @default 10 */
  readonly priority?: number;
}

export interface ListVersionsOptions {
  /** Only keys starting with this. @default '' (whole bucket) */
  readonly prefix?: string;
  /** Entries per listing page (S3 MaxKeys). @default 1000 */
  readonly pageSize?: number;
  /** Called after each page with its counts. */
  readonly onPage?: (page: {
    readonly versions: number;
    readonly deleteMarkers: number;
    readonly index: number;
  }) => void;
}

/** One object version or delete marker. */
export interface VersionEntry {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly isLatest: boolean;
  /** Object versions only. */
  readonly etag?: string;
  /** Object versions only. */
  readonly size?: number;
  /** Object versions only, e.g. `STANDARD`, `GLACIER`. */
  readonly storageClass?: string;
}

/** A current object as ListObjectsV2 shows it. */
export interface LatestEntry {
  readonly key: string;
  readonly etag?: string;
  readonly size?: number;
  readonly lastModified?: Date;
}

export interface VersionListing {
  readonly bucket: string;
  readonly prefix: string;
  readonly versions: ReadonlyArray<VersionEntry>;
  readonly deleteMarkers: ReadonlyArray<VersionEntry>;
  /** Listing pages read. */
  readonly pages: number;
}

/** One line of a restore manifest (the seed's `s3-restore-list.sh` CSV: key,versionId). */
export interface ManifestEntry {
  readonly key: string;
  readonly versionId: string;
}

/** What to do to one key. */
export type RestoreAction =
  | {
      /** Copy `versionId` over the latest version. */
      readonly kind: 'copy';
      readonly key: string;
      readonly versionId: string;
      readonly reason: 'overwritten-after-t' | 'deleted-after-t' | 'manifest';
    }
  | {
      /** Remove delete markers so `versionId` (already the newest object version) is current again. */
      readonly kind: 'remove-delete-markers';
      readonly key: string;
      readonly versionId: string;
      readonly deleteMarkerVersionIds: ReadonlyArray<string>;
      readonly reason: 'deleted-after-t' | 'undelete';
    }
  | {
      /** Put a delete marker (never a permanent delete): the key did not exist at T. */
      readonly kind: 'delete';
      readonly key: string;
      readonly reason: 'created-after-t' | 'deleted-at-t';
    }
  | {
      /** Nothing to do. */
      readonly kind: 'none';
      readonly key: string;
      readonly reason: 'unchanged' | 'already-restored' | 'absent-at-t-and-now';
    };

export interface RestorePlan {
  readonly bucket: string;
  /** The point in time, for a point-in-time plan. */
  readonly at?: Date;
  readonly prefix?: string;
  readonly actions: ReadonlyArray<RestoreAction>;
  /** Things the operator must know (ambiguous ordering, archived versions…). */
  readonly warnings: ReadonlyArray<string>;
}

export interface PlanOptions {
  /** Listing page size. @default 1000 */
  readonly pageSize?: number;
  /**
   * Restore deleted keys by copying the old version instead of removing delete markers
   * (for buckets whose policy denies `s3:DeleteObjectVersion`). @default false
   */
  readonly preferCopy?: boolean;
  /** Concurrency of the look-ups a manifest plan makes. @default 16 */
  readonly concurrency?: number;
}

export interface StreamPlanOptions extends PlanOptions {
  /** Receives each key's action in key order (awaited: a slow sink slows the listing). */
  readonly onAction: (a: RestoreAction) => void | Promise<void>;
  /** Called after each listing page. */
  readonly onPage?: ListVersionsOptions['onPage'];
  /**
   * Receives, in key order, each key that held an object version at T (its ETag and size then);
   * keys absent at T are not passed.
   */
  readonly onKeyAtT?: (key: string, state: { etag?: string; size?: number }) => void;
}

/** What one streamed planning pass read and found. */
export interface PlanStreamSummary {
  /** ListObjectVersions pages read (one listing pass). */
  readonly pages: number;
  readonly versions: number;
  readonly deleteMarkers: number;
  /** Keys seen (one action each). */
  readonly keys: number;
  /** Actions by kind. */
  readonly counts: Readonly<Record<RestoreAction['kind'], number>>;
  /** The first 1000 warnings (ambiguous order, archived or too large versions). */
  readonly warnings: ReadonlyArray<string>;
  /** Warnings in all, including those left out of `warnings`. */
  readonly warningCount: number;
}

/** What {@link ObjectStore.applyAction} wrote, from the write responses. */
export interface AppliedAction {
  /** Version id of the new version (copy) or of the delete marker put (delete). */
  readonly madeVersionId?: string;
  /** Delete-marker version ids removed (remove-delete-markers). */
  readonly removedVersionIds?: ReadonlyArray<string>;
}

export interface ApplyOptions {
  /** Keys worked on at once. @default 16 */
  readonly concurrency?: number;
  /** Make no mutating call; report what would be done. @default false */
  readonly dryRun?: boolean;
  /** Called after each key. */
  readonly onProgress?: (p: RestoreProgress) => void;
  /** Stops starting new keys when aborted. */
  readonly signal?: AbortSignal;
}

export interface RestoreProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly key: string;
}

export interface RestoreSummary {
  readonly bucket: string;
  readonly dryRun: boolean;
  /** Keys brought back to a prior version (copied or undeleted). */
  readonly restored: ReadonlyArray<string>;
  /** Keys given a delete marker because they did not exist at T. */
  readonly deleted: ReadonlyArray<string>;
  /** Keys left as they were, with why. */
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
  /** Keys whose action failed, with the translated error. */
  readonly failed: ReadonlyArray<{
    readonly key: string;
    readonly code: string;
    readonly message: string;
    readonly retryable: boolean;
  }>;
  readonly durationMs: number;
}
