import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateJobCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { createReadStream, statSync } from 'node:fs';
import { DrError, NotFoundError, PreconditionError } from '../../engine/errors.js';
import type {
  AppliedAction,
  ApplyOptions,
  BatchCopyJob,
  LatestEntry,
  ListVersionsOptions,
  ManifestEntry,
  ObjectStore,
  ObjectStoreCapability,
  PlanOptions,
  PlanStreamSummary,
  RestoreAction,
  RestorePlan,
  RestoreSummary,
  StreamPlanOptions,
  VersionEntry,
  VersionListing,
} from '../../ports/object-store.js';
import type { AwsClients } from './clients.js';
import { awsCall, translateAwsError } from './errors.js';
import { forEachLimited } from './limit.js';
import { createJobInput, writeBatchManifest } from './s3-batch-copy.js';
import { KeyGrouper } from './s3-key-grouper.js';
import { planKey, type HistoryEntry } from './s3-restore-plan.js';

/** Options of {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  readonly clients: AwsClients;
  /** Region of the buckets. @default the factory's default region */
  readonly region?: string;
  /**
   * The S3 Control client Batch Operations jobs are created with (a test passes one whose
   * request handler captures the request: moto does not serve S3 Control jobs).
   * @default clients.s3control(region)
   */
  readonly s3control?: S3ControlClient;
}

const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** Entries per ListObjectVersions page when the caller does not say (S3's maximum). */
const MAX_KEYS = 1000;

/** The object-store port on Amazon S3 (and S3-compatible endpoints such as moto). */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 'aws-s3';
  readonly capabilities: ReadonlySet<ObjectStoreCapability> = new Set<ObjectStoreCapability>([
    'versioning',
    'delete-markers',
    'object-lock',
    'point-in-time',
    'manifest-restore',
    'batch-copy',
  ]);
  private readonly s3: S3Client;
  private readonly control: () => S3ControlClient;

  constructor(opts: S3ObjectStoreOptions) {
    this.s3 = opts.clients.s3(opts.region);
    this.control = () => opts.s3control ?? opts.clients.s3control(opts.region);
  }

  async listVersions(bucket: string, opts: ListVersionsOptions = {}): Promise<VersionListing> {
    const prefix = opts.prefix ?? '';
    const versions: VersionEntry[] = [];
    const deleteMarkers: VersionEntry[] = [];
    const pages = await this.eachVersionPage(bucket, opts, (entries) => {
      for (const { marker, ...e } of entries) (marker ? deleteMarkers : versions).push(e);
    });
    return { bucket, prefix, versions, deleteMarkers, pages };
  }

  /**
   * Reads every ListObjectVersions page under `opts.prefix`, handing each page's entries
   * (versions, then delete markers) to `onPage` before the next page is asked for.
   * @returns the number of pages read
   */
  private async eachVersionPage(
    bucket: string,
    opts: ListVersionsOptions,
    onPage: (entries: HistoryEntry[], last: boolean) => void | Promise<void>,
  ): Promise<number> {
    const prefix = opts.prefix ?? '';
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    let pages = 0;
    for (;;) {
      const out = await awsCall(
        { action: 's3:ListObjectVersions', resource: `s3://${bucket}/${prefix}` },
        () =>
          this.s3.send(
            new ListObjectVersionsCommand({
              Bucket: bucket,
              Prefix: prefix || undefined,
              MaxKeys: opts.pageSize ?? MAX_KEYS,
              KeyMarker: keyMarker,
              VersionIdMarker: versionIdMarker,
            }),
          ),
      );
      pages++;
      const entries: HistoryEntry[] = [];
      for (const v of out.Versions ?? []) entries.push({ ...toEntry(v, false), marker: false });
      for (const m of out.DeleteMarkers ?? []) entries.push({ ...toEntry(m, true), marker: true });
      opts.onPage?.({
        versions: out.Versions?.length ?? 0,
        deleteMarkers: out.DeleteMarkers?.length ?? 0,
        index: pages - 1,
      });
      // A page may hold only delete markers (no Versions at all): truncation is decided by
      // IsTruncated alone, never by whether Versions was empty.
      await onPage(entries, !out.IsTruncated);
      if (!out.IsTruncated) return pages;
      if (!out.NextKeyMarker) {
        throw new DrError(
          'EXTERNAL',
          `s3:ListObjectVersions on s3://${bucket}/${prefix}: truncated page without NextKeyMarker`,
        );
      }
      keyMarker = out.NextKeyMarker;
      versionIdMarker = out.NextVersionIdMarker;
    }
  }

  async eachLatestPage(
    bucket: string,
    opts: Pick<ListVersionsOptions, 'prefix' | 'pageSize'>,
    onPage: (entries: ReadonlyArray<LatestEntry>) => void | Promise<void>,
  ): Promise<number> {
    const prefix = opts.prefix ?? '';
    let token: string | undefined;
    let pages = 0;
    for (;;) {
      const out = await awsCall(
        { action: 's3:ListBucket', resource: `s3://${bucket}/${prefix}` },
        () =>
          this.s3.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix || undefined,
              MaxKeys: opts.pageSize ?? MAX_KEYS,
              ContinuationToken: token,
            }),
          ),
      );
      pages++;
      await onPage(
        (out.Contents ?? []).map((o) => ({
          key: o.Key!,
          ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
          ...(o.Size !== undefined ? { size: o.Size } : {}),
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
        })),
      );
      if (!out.IsTruncated) return pages;
      if (!out.NextContinuationToken)
        throw new DrError(
          'EXTERNAL',
          `s3:ListObjectsV2 on s3://${bucket}/${prefix}: truncated page without NextContinuationToken`,
        );
      token = out.NextContinuationToken;
    }
  }

  planListLatest(bucket: string, opts: Pick<ListVersionsOptions, 'prefix' | 'pageSize'>): string[] {
    return [
      `s3:ListObjectsV2 Bucket=${bucket} Prefix=${opts.prefix || '(none)'} MaxKeys=${opts.pageSize ?? MAX_KEYS} (every page, ContinuationToken)`,
    ];
  }

  planListVersions(
    bucket: string,
    opts: Pick<ListVersionsOptions, 'prefix' | 'pageSize'> = {},
  ): string[] {
    return [
      `s3:ListObjectVersions Bucket=${bucket} Prefix=${opts.prefix || '(none)'} MaxKeys=${opts.pageSize ?? MAX_KEYS} (every page, KeyMarker/VersionIdMarker)`,
    ];
  }

  async getObject(bucket: string, key: string, versionId?: string): Promise<Uint8Array> {
    const out = await awsCall(
      { action: 's3:GetObject', resource: objectUrl(bucket, key, versionId) },
      () => this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
    );
    if (!out.Body)
      throw new NotFoundError(`s3:GetObject on ${objectUrl(bucket, key, versionId)}: no body`);
    return await out.Body.transformToByteArray();
  }

  async restoreVersion(bucket: string, key: string, versionId: string): Promise<void> {
    await this.copyVersion(bucket, key, versionId);
  }

  private async copyVersion(bucket: string, key: string, versionId: string) {
    return await awsCall(
      { action: 's3:CopyObject', resource: objectUrl(bucket, key, versionId) },
      () =>
        this.s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: copySource(bucket, key, versionId),
            // COPY keeps the old version's Content-Type and user metadata; the seed's REPLACE
            // would silently drop them.
            MetadataDirective: 'COPY',
          }),
        ),
    );
  }

  async undelete(bucket: string, key: string): Promise<string[]> {
    const { versions, deleteMarkers } = await this.listVersions(bucket, { prefix: key });
    const newest = newestOf(versions.filter((v) => v.key === key));
    if (!newest) throw new NotFoundError(`s3://${bucket}/${key} has no object version to undelete`);
    const above = deleteMarkers.filter(
      (m) => m.key === key && m.lastModified.getTime() >= newest.lastModified.getTime(),
    );
    for (const m of above) await this.deleteVersion(bucket, key, m.versionId);
    return above.map((m) => m.versionId);
  }

  async planRestoreToTime(
    bucket: string,
    prefix: string,
    at: Date,
    opts: PlanOptions = {},
  ): Promise<RestorePlan> {
    const actions: RestoreAction[] = [];
    const r = await this.streamRestoreToTime(bucket, prefix, at, {
      ...opts,
      onAction: (a) => void actions.push(a),
    });
    return { bucket, prefix, at, actions, warnings: [...r.warnings] };
  }

  async streamRestoreToTime(
    bucket: string,
    prefix: string,
    at: Date,
    opts: StreamPlanOptions,
  ): Promise<PlanStreamSummary> {
    await this.assertVersioningEnabled(bucket, 'restore');
    const grouper = new KeyGrouper();
    const counts = { copy: 0, 'remove-delete-markers': 0, delete: 0, none: 0 };
    const warnings: string[] = [];
    let warningCount = 0;
    let versions = 0;
    let deleteMarkers = 0;
    let keys = 0;
    const warn = (w: string) => {
      if (warningCount++ < 1000) warnings.push(w);
    };
    const pages = await this.eachVersionPage(
      bucket,
      {
        prefix,
        ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
        ...(opts.onPage ? { onPage: opts.onPage } : {}),
      },
      async (entries, last) => {
        for (const e of entries)
          if (e.marker) deleteMarkers++;
          else versions++;
        for (const [key, history] of grouper.feed(entries, last)) {
          const r = planKey(key, history, at, { preferCopy: opts.preferCopy ?? false });
          keys++;
          counts[r.action.kind]++;
          if (r.warning) warn(r.warning);
          if (r.action.kind === 'copy' && r.target)
            archivedWarnings([r.action], [r.target]).forEach(warn);
          if (opts.onKeyAtT && r.target && !r.target.marker)
            opts.onKeyAtT(key, {
              ...(r.target.etag !== undefined ? { etag: r.target.etag } : {}),
              ...(r.target.size !== undefined ? { size: r.target.size } : {}),
            });
          await opts.onAction(r.action);
        }
      },
    );
    return { pages, versions, deleteMarkers, keys, counts, warnings, warningCount };
  }

  async applyAction(bucket: string, a: RestoreAction): Promise<AppliedAction> {
    switch (a.kind) {
      case 'copy': {
        const out = await this.copyVersion(bucket, a.key, a.versionId);
        return out.VersionId ? { madeVersionId: out.VersionId } : {};
      }
      case 'remove-delete-markers':
        for (const id of a.deleteMarkerVersionIds) await this.deleteVersion(bucket, a.key, id);
        return { removedVersionIds: [...a.deleteMarkerVersionIds] };
      case 'delete': {
        const out = await awsCall(
          { action: 's3:DeleteObject', resource: objectUrl(bucket, a.key) },
          () => this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: a.key })),
        );
        return out.VersionId ? { madeVersionId: out.VersionId } : {};
      }
      case 'none':
        return {};
    }
  }

  async actionTookEffect(bucket: string, a: RestoreAction): Promise<boolean> {
    if (a.kind !== 'copy' && a.kind !== 'delete') return false;
    const { versions, deleteMarkers } = await this.listVersions(bucket, { prefix: a.key });
    const history: HistoryEntry[] = [
      ...versions.filter((v) => v.key === a.key).map((v) => ({ ...v, marker: false })),
      ...deleteMarkers.filter((m) => m.key === a.key).map((m) => ({ ...m, marker: true })),
    ];
    const latest = history.find((e) => e.isLatest);
    if (!latest) return false;
    if (a.kind === 'delete') return latest.marker;
    const target = history.find((e) => e.versionId === a.versionId);
    return (
      !latest.marker &&
      target !== undefined &&
      latest.versionId !== target.versionId &&
      latest.etag === target.etag &&
      latest.size === target.size
    );
  }

  async planRestoreFromManifest(
    bucket: string,
    entries: ReadonlyArray<ManifestEntry>,
    opts: PlanOptions = {},
  ): Promise<RestorePlan> {
    // an unversioned bucket has no old version to go back to, and a copy over its only version
    // would destroy it: refuse before any look-up
    await this.assertVersioningEnabled(bucket, 'restore');
    const actions: RestoreAction[] = new Array(entries.length);
    const missing: string[] = [];
    const all: VersionEntry[] = [];
    await forEachLimited(entries, opts.concurrency ?? 16, async (e, i) => {
      const { versions, deleteMarkers } = await this.listVersions(bucket, { prefix: e.key });
      const vs = versions.filter((v) => v.key === e.key);
      const target = vs.find((v) => v.versionId === e.versionId);
      if (!target) {
        missing.push(`${e.key},${e.versionId}`);
        actions[i] = { kind: 'none', key: e.key, reason: 'unchanged' };
        return;
      }
      all.push(target);
      const history = [...vs, ...deleteMarkers.filter((m) => m.key === e.key)].sort(
        (a, b) =>
          b.lastModified.getTime() - a.lastModified.getTime() ||
          Number(b.isLatest) - Number(a.isLatest),
      );
      const latest = history[0]!;
      const isMarker = (x: VersionEntry) => x.etag === undefined;
      const above = history.slice(0, history.indexOf(target));
      if (latest === target) actions[i] = { kind: 'none', key: e.key, reason: 'unchanged' };
      else if (!isMarker(latest) && latest.etag === target.etag && latest.size === target.size) {
        actions[i] = { kind: 'none', key: e.key, reason: 'already-restored' };
      } else if (!opts.preferCopy && above.every(isMarker)) {
        actions[i] = {
          kind: 'remove-delete-markers',
          key: e.key,
          versionId: e.versionId,
          deleteMarkerVersionIds: above.map((m) => m.versionId),
          reason: 'undelete',
        };
      } else actions[i] = { kind: 'copy', key: e.key, versionId: e.versionId, reason: 'manifest' };
    });
    if (missing.length > 0) {
      missing.sort();
      const shown = missing.slice(0, 5).join('; ');
      throw new PreconditionError(
        `${missing.length} manifest line(s) name a version that does not exist in s3://${bucket}: ${shown}${missing.length > 5 ? '; …' : ''}`,
        {
          hint: "fix or remove these lines (list a key's versions with `aws s3api list-object-versions --prefix <key>`); nothing was restored",
          details: { missing: missing.slice(0, 50) },
        },
      );
    }
    return { bucket, actions, warnings: archivedWarnings(actions, all) };
  }

  describePlan(plan: RestorePlan): string[] {
    const b = plan.bucket;
    const lines: string[] = [];
    for (const a of plan.actions) {
      switch (a.kind) {
        case 'copy':
          lines.push(
            `s3:CopyObject Bucket=${b} Key=${a.key} CopySource=${copySource(b, a.key, a.versionId)} MetadataDirective=COPY  # ${a.reason}`,
          );
          break;
        case 'remove-delete-markers':
          for (const id of a.deleteMarkerVersionIds)
            lines.push(
              `s3:DeleteObject Bucket=${b} Key=${a.key} VersionId=${id}  # remove delete marker (${a.reason})`,
            );
          break;
        case 'delete':
          lines.push(
            `s3:DeleteObject Bucket=${b} Key=${a.key}  # put a delete marker (${a.reason})`,
          );
          break;
        case 'none':
          break;
      }
    }
    return lines;
  }

  async applyRestorePlan(plan: RestorePlan, opts: ApplyOptions = {}): Promise<RestoreSummary> {
    const started = Date.now();
    const dryRun = opts.dryRun ?? false;
    const todo = plan.actions.filter((a) => a.kind !== 'none');
    if (todo.some((a) => a.kind === 'delete'))
      await this.assertVersioningEnabled(plan.bucket, 'delete');
    const restored: string[] = [];
    const deleted: string[] = [];
    const skipped = plan.actions
      .filter((a) => a.kind === 'none')
      .map((a) => ({ key: a.key, reason: a.reason }));
    const failed: Array<{ key: string; code: string; message: string; retryable: boolean }> = [];
    let done = 0;
    await forEachLimited(
      todo,
      opts.concurrency ?? 16,
      async (a) => {
        try {
          if (!dryRun) await this.applyOne(plan.bucket, a);
          (a.kind === 'delete' ? deleted : restored).push(a.key);
        } catch (err) {
          const e = translateAwsError(err, {
            action: `restore ${a.kind}`,
            resource: objectUrl(plan.bucket, a.key),
          });
          failed.push({ key: a.key, code: e.code, message: e.message, retryable: e.retryable });
        }
        done++;
        opts.onProgress?.({ done, total: todo.length, failed: failed.length, key: a.key });
      },
      opts.signal,
    );
    return {
      bucket: plan.bucket,
      dryRun,
      restored,
      deleted,
      skipped,
      failed,
      durationMs: Date.now() - started,
    };
  }

  async writeBatchCopyManifest(
    bucket: string,
    actions: AsyncIterable<RestoreAction>,
    file: string,
  ): Promise<number> {
    return await writeBatchManifest(bucket, actions, file);
  }

  describeBatchCopy(job: BatchCopyJob): string[] {
    const req = createJobInput(job, '<ETag of the uploaded manifest>');
    return [
      `s3:PutObject Bucket=${job.manifestBucket} Key=${job.manifestKey} Body=@${job.manifestFile}`,
      `s3control:CreateJob (the job starts at once: ConfirmationRequired=false) ${JSON.stringify(req)}`,
    ];
  }

  async submitBatchCopy(job: BatchCopyJob): Promise<{ jobId: string }> {
    const manifestUrl = `s3://${job.manifestBucket}/${job.manifestKey}`;
    const put = await awsCall({ action: 's3:PutObject', resource: manifestUrl }, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: job.manifestBucket,
          Key: job.manifestKey,
          Body: createReadStream(job.manifestFile),
          ContentLength: statSync(job.manifestFile).size,
          ContentType: 'text/csv',
        }),
      ),
    );
    if (!put.ETag) throw new DrError('EXTERNAL', `s3:PutObject on ${manifestUrl}: no ETag`);
    const out = await awsCall(
      { action: 's3control:CreateJob', resource: `account ${job.accountId}` },
      () => this.control().send(new CreateJobCommand(createJobInput(job, put.ETag!))),
    );
    if (!out.JobId) throw new DrError('EXTERNAL', 's3control:CreateJob answered no JobId');
    return { jobId: out.JobId };
  }

  private async applyOne(bucket: string, a: RestoreAction): Promise<void> {
    await this.applyAction(bucket, a);
  }

  /** Deletes one version id; only ever called with delete-marker ids. */
  private async deleteVersion(bucket: string, key: string, versionId: string): Promise<void> {
    await awsCall({ action: 's3:DeleteObject', resource: objectUrl(bucket, key, versionId) }, () =>
      this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
    );
  }

  /**
   * On an unversioned bucket a DeleteObject is permanent, and there are no old versions to
   * restore: refuse before doing anything.
   */
  private async assertVersioningEnabled(bucket: string, why: 'delete' | 'restore'): Promise<void> {
    const out = await awsCall(
      { action: 's3:GetBucketVersioning', resource: `s3://${bucket}` },
      () => this.s3.send(new GetBucketVersioningCommand({ Bucket: bucket })),
    );
    if (out.Status !== 'Enabled') {
      throw new PreconditionError(
        why === 'delete'
          ? `s3://${bucket} has versioning ${out.Status ?? 'never enabled'}: a delete would be permanent`
          : `s3://${bucket} has versioning ${out.Status ?? 'never enabled'}: a restore needs a versioned bucket (its old versions), and its deletes would be permanent`,
        {
          hint: 'enable versioning on the bucket (s3api put-bucket-versioning Status=Enabled) and run again; objects overwritten or deleted while it was off have no old version: restore those from a backup or replica. drkit never deletes objects permanently',
        },
      );
    }
  }
}

function toEntry(
  e: {
    Key?: string;
    VersionId?: string;
    LastModified?: Date;
    IsLatest?: boolean;
    ETag?: string;
    Size?: number;
    StorageClass?: string;
  },
  marker: boolean,
): VersionEntry {
  return {
    key: e.Key ?? '',
    versionId: e.VersionId ?? 'null',
    lastModified: e.LastModified ?? new Date(0),
    isLatest: e.IsLatest ?? false,
    ...(marker
      ? {}
      : {
          etag: e.ETag ?? '',
          size: e.Size ?? 0,
          ...(e.StorageClass ? { storageClass: e.StorageClass } : {}),
        }),
  };
}

function newestOf(vs: ReadonlyArray<VersionEntry>): VersionEntry | undefined {
  return vs.reduce<VersionEntry | undefined>(
    (best, v) =>
      !best ||
      v.lastModified > best.lastModified ||
      (v.isLatest && v.lastModified.getTime() === best.lastModified.getTime())
        ? v
        : best,
    undefined,
  );
}

function archivedWarnings(
  actions: ReadonlyArray<RestoreAction>,
  versions: ReadonlyArray<VersionEntry>,
): string[] {
  const byId = new Map(versions.map((v) => [`${v.key}\u0000${v.versionId}`, v]));
  const out: string[] = [];
  for (const a of actions) {
    if (a.kind !== 'copy') continue;
    const v = byId.get(`${a.key}\u0000${a.versionId}`);
    if (v?.storageClass && ARCHIVED.has(v.storageClass)) {
      out.push(
        `${a.key}: version ${a.versionId} is in ${v.storageClass}; restore it from the archive tier first or the copy fails`,
      );
    }
    if (v?.size !== undefined && v.size > 5 * 1024 ** 3) {
      out.push(
        `${a.key}: version ${a.versionId} is over 5 GiB; CopyObject cannot copy it in one call`,
      );
    }
  }
  return out;
}

/** `bucket/key?versionId=…` with the key URL-encoded, as CopySource requires. */
export function copySource(bucket: string, key: string, versionId: string): string {
  const k = key.split('/').map(encodeURIComponent).join('/');
  return `${bucket}/${k}?versionId=${encodeURIComponent(versionId)}`;
}

function objectUrl(bucket: string, key: string, versionId?: string): string {
  return `s3://${bucket}/${key}${versionId ? `?versionId=${versionId}` : ''}`;
}
