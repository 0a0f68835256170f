import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type {
  PlanStreamSummary,
  RestoreAction,
  StreamPlanOptions,
} from '../../../ports/object-store.js';
import {
  countActions,
  makePlan,
  need,
  planDirOf,
  restorePoint,
  type S3RestoreDeps,
  type S3RestoreState,
} from '../context.js';
import { ExpectedWriter, expectedFilePath, PlanWriter, planFilePath } from '../plan-file.js';

/** Calls printed one by one in a dry run; past this, a count. */
const DRY_RUN_CALL_LINES = 2000;

/**
 * Step 1 (seed: `aws s3api list-object-versions`, then a decision per key): lists the prefix
 * once and plans each key as soon as its last version has been read (copy a version over the
 * latest, remove delete markers, put a delete marker, nothing), streaming the keys to change to
 * the plan file beside the journal, and every key's state at T to the expected file (what the
 * final check compares a ListObjectsV2 with) — never the whole listing in memory. Read-only on the bucket;
 * it records the keys that will change before any is changed, so the CDN purge covers them
 * after a resume too.
 */
export function planRestore(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'plan-restore',
    title: 'List versions once and plan the restore key by key',
    retry: { attempts: 3 },
    timeoutMs: 4 * 60 * 60_000,
    async plan({ state: s }) {
      const calls: string[] = [];
      let more = 0;
      const sink = (a: RestoreAction) => {
        if (a.kind === 'none') return;
        const lines = deps.store.describePlan({ bucket: s.bucket, actions: [a], warnings: [] });
        for (const l of lines)
          (calls.length < DRY_RUN_CALL_LINES ? calls : { push: () => more++ }).push(l);
      };
      const { counts, warnings, listing } = await streamPlan(deps, s, sink);
      return [
        ...listing,
        `${s.manifest !== undefined ? `manifest ${s.manifest}` : `state of s3://${s.bucket}/${s.prefix} at ${s.at}`}: ${counts.copy} copy, ${counts['remove-delete-markers']} undelete, ${counts.delete} delete-marker, ${counts.none} unchanged`,
        ...warnings.map((w) => `warning: ${w}`),
        ...(s.batchOperationsAbove !== undefined && (counts.copy ?? 0) > s.batchOperationsAbove
          ? [
              `${counts.copy} copies > batchOperationsAbove=${s.batchOperationsAbove}: the copies go to one S3 Batch Operations job (submit-batch-copy), the rest is applied in-process`,
            ]
          : []),
        ...calls,
        ...(more > 0 ? [`… and ${more} more calls (the plan file lists every one)`] : []),
      ];
    },
    async run({ state: s, executionId, progress }) {
      const file = planFilePath(planDirOf(s), executionId);
      const writer = new PlanWriter(file, {
        bucket: s.bucket,
        prefix: s.prefix,
        ...(s.at ? { at: s.at } : {}),
        ...(s.manifest ? { manifest: s.manifest } : {}),
      });
      const expected =
        s.manifest === undefined
          ? new ExpectedWriter(expectedFilePath(planDirOf(s), executionId))
          : undefined;
      const changed: string[] = [];
      const r = await streamPlan(
        deps,
        s,
        (a) => {
          if (a.kind === 'none') return;
          writer.add(a);
          if (changed.length <= s.wildcardAbove) changed.push(a.key);
          if (writer.count % 10_000 === 0) progress(`planned ${writer.count} keys to change`);
        },
        expected ? (key, st) => expected.add(key, st) : undefined,
      );
      writer.close();
      expected?.close();
      const wildcard = changed.length > s.wildcardAbove && s.manifest === undefined;
      return {
        planFile: file,
        plannedEntries: writer.count,
        ...(expected
          ? {
              expectedFile: expectedFilePath(planDirOf(s), executionId),
              expectedKeys: expected.keys,
              expectedUnprovable: expected.unprovable,
            }
          : {}),
        listingPasses: r.summary ? 1 : 0,
        ...(r.summary
          ? {
              listedVersions: r.summary.versions,
              listedDeleteMarkers: r.summary.deleteMarkers,
              listedPages: r.summary.pages,
            }
          : {}),
        plannedActions: r.counts,
        planWarnings: [...r.warnings],
        ...(wildcard ? { invalidateWildcard: true, changedKeys: [] } : { changedKeys: changed }),
      };
    },
  };
}

/** Plans (one listing for a point in time, per-key look-ups for a manifest), streaming to `sink`. */
async function streamPlan(
  deps: S3RestoreDeps,
  s: S3RestoreState,
  sink: (a: RestoreAction) => void,
  onKeyAtT?: StreamPlanOptions['onKeyAtT'],
): Promise<{
  counts: Record<string, number>;
  warnings: readonly string[];
  listing: string[];
  summary?: PlanStreamSummary;
}> {
  if (s.manifest !== undefined) {
    const plan = await makePlan(deps, s);
    plan.actions.forEach(sink);
    return { counts: countActions(plan), warnings: plan.warnings, listing: [] };
  }
  need(deps.store, 'point-in-time');
  const listing = deps.store
    .planListVersions(s.bucket, { prefix: s.prefix, pageSize: s.pageSize })
    .map((l) => `${deps.store.kind}: ${l} — once, planning each key as it is read`);
  const summary = await deps.store.streamRestoreToTime(s.bucket, s.prefix, restorePoint(s), {
    preferCopy: s.preferCopy,
    pageSize: s.pageSize,
    onAction: sink,
    ...(onKeyAtT ? { onKeyAtT } : {}),
  });
  if (summary.keys === 0) {
    throw new PreconditionError(`no object version under s3://${s.bucket}/${s.prefix}`, {
      hint: 'check the bucket and the prefix (case-sensitive, no leading /): nothing was changed',
    });
  }
  const warnings =
    summary.warningCount > summary.warnings.length
      ? [
          ...summary.warnings,
          `… and ${summary.warningCount - summary.warnings.length} more warnings`,
        ]
      : summary.warnings;
  return { counts: { ...summary.counts }, warnings, listing, summary };
}
