import { readFile } from 'node:fs/promises';
import { CapabilityError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { Cdn } from '../../ports/cdn.js';
import type { Notifier } from '../../ports/notifier.js';
import type { ObjectStore, RestorePlan } from '../../ports/object-store.js';
import { parseRestoreManifest } from './manifest.js';
import type { S3RestoreParams } from './params.js';

/** The ports RB-N-03 runs against. */
export interface S3RestoreDeps {
  readonly store: ObjectStore;
  /** Purges restored paths; the invalidate step is skipped without it. */
  readonly cdn?: Cdn;
  /** Tells people the outcome; the notify step is skipped without it. */
  readonly notifier?: Notifier;
}

/** RB-N-03's state: its parameters plus what each step recorded. */
export interface S3RestoreState extends S3RestoreParams {
  /** Where the plan file and the apply log go: the journal's directory (set by `normalize`). */
  planDir?: string;
  /** The plan file written by plan-restore (JSONL, beside the journal). */
  planFile?: string;
  /** Entries of the plan file (keys to change). */
  plannedEntries?: number;
  /** Full listings of the prefix so far (plan + final check: at most 2 per restore). */
  listingPasses?: number;
  /** The state at T of every key present then (plan-restore, point-in-time only). */
  expectedFile?: string;
  /** Keys in it. */
  expectedKeys?: number;
  /** Keys in it whose ETag is multipart (or missing): the final check then lists versions. */
  expectedUnprovable?: number;
  /** How the final check listed: `latest` (ListObjectsV2 against the expected file) or `versions`. */
  finalCheck?: 'latest' | 'versions';
  listedVersions?: number;
  listedDeleteMarkers?: number;
  listedPages?: number;
  plannedActions?: Record<string, number>;
  planWarnings?: string[];
  /** Keys the plan changes, recorded before anything is changed (for the CDN purge). */
  changedKeys?: string[];
  /** More keys changed than `wildcardAbove`: purge the whole prefix. */
  invalidateWildcard?: boolean;
  restoredCount?: number;
  deletedCount?: number;
  skippedCount?: number;
  restoreDurationMs?: number;
  /** Plan entries found already applied on resume (their write answered before the crash). */
  foundApplied?: number;
  /** Writes answered 503 SlowDown (each retried after a back-off). */
  throttledCalls?: number;
  /** Keys whose write answered with the version it made (the proof the verify step uses). */
  verifiedByResponse?: number;
  /** Keys not at their state at T after the final listing: written under the restore. */
  changedUnderRestore?: string[];
  /** The S3 Batch Operations job making the plan's copies (large restores, `submitBatchJob`). */
  batchJobId?: string;
  /** Copies handed to that job (restore-objects leaves them to it). */
  batchCopies?: number;
  /** The job's manifest beside the journal. */
  batchManifestFile?: string;
  /** Where the job's completion report goes (`s3://bucket/prefix`). */
  batchReport?: string;
  invalidationIds?: string[];
  verifiedAt?: string;
  notifiedAt?: string;
}

/** The point in time of a point-in-time run. @throws UsageError */
export function restorePoint(s: S3RestoreParams): Date {
  const at = new Date(s.at ?? '');
  if (Number.isNaN(at.getTime()) || !/(Z|[+-]\d\d:?\d\d)$/.test(s.at ?? '')) {
    throw new UsageError(`at=${s.at}: not an ISO-8601 instant with a zone`, {
      hint: 'e.g. at=2025-11-06T12:30:00Z',
    });
  }
  if (at.getTime() > Date.now()) throw new UsageError(`at=${s.at} is in the future`);
  return at;
}

/** Plans the restore from the store's current state (read-only). */
export async function makePlan(deps: S3RestoreDeps, s: S3RestoreParams): Promise<RestorePlan> {
  const opts = { preferCopy: s.preferCopy, pageSize: s.pageSize, concurrency: s.concurrency };
  if (s.manifest !== undefined) {
    need(deps.store, 'manifest-restore');
    const entries = parseRestoreManifest(await readFile(s.manifest, 'utf8'), s.manifest);
    return await deps.store.planRestoreFromManifest(s.bucket, entries, opts);
  }
  need(deps.store, 'point-in-time');
  return await deps.store.planRestoreToTime(s.bucket, s.prefix, restorePoint(s), opts);
}

export function need(store: ObjectStore, cap: 'manifest-restore' | 'point-in-time'): void {
  if (!store.capabilities.has(cap)) {
    throw new CapabilityError(`object store ${store.kind} cannot do ${cap} restores`, {
      hint: 'bind an adapter that declares it (aws-s3 does)',
    });
  }
}

/**
 * The directory of the plan file: the journal's (beside it, outside the bucket restored).
 * @throws PreconditionError when no directory was given
 */
export function planDirOf(s: S3RestoreState): string {
  if (!s.planDir) {
    throw new PreconditionError('RB-N-03 has no directory for its plan file', {
      hint: 'run it through `drkit runbook run rb-n-03` (the journal directory), or set planDir in the state',
    });
  }
  return s.planDir;
}

/** Counts of plan actions by kind. */
export function countActions(plan: RestorePlan): Record<string, number> {
  const out: Record<string, number> = { copy: 0, 'remove-delete-markers': 0, delete: 0, none: 0 };
  for (const a of plan.actions) out[a.kind] = (out[a.kind] ?? 0) + 1;
  return out;
}

/** CDN paths for the changed keys (or the prefix wildcard). */
export function cdnPaths(s: S3RestoreState): string[] {
  const base = s.cdnPathPrefix.endsWith('/') ? s.cdnPathPrefix : `${s.cdnPathPrefix}/`;
  if (s.invalidateWildcard) return [`${base}${s.prefix}*`];
  return (s.changedKeys ?? []).map((k) => base + k.split('/').map(encodeURIComponent).join('/'));
}
