import { DrError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { runAdaptive } from '../../../util/adaptive-pool.js';
import { planDirOf, type S3RestoreDeps, type S3RestoreState } from '../context.js';
import { AppliedLog, appliedFilePath, readPlan, type PlanEntry } from '../plan-file.js';

/**
 * Step 3 (destructive; seed: `aws s3api copy-object` per key, or s3-restore-list.sh): applies
 * the plan file, `concurrency` calls in flight, backing off when S3 answers SlowDown. Each
 * entry is logged before it is sent and with the version its write made after; a run after a
 * crash skips the entries applied, checks the few in flight at the crash on their own key
 * (never the whole prefix) and applies the rest: no key is written twice, nothing is listed.
 */
export function restoreObjects(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'restore-objects',
    title: 'Restore objects (copy versions, remove delete markers, put delete markers)',
    destructive: true,
    retry: { attempts: 3 },
    timeoutMs: 4 * 60 * 60_000,
    plan: ({ state: s }) => [
      `apply the plan file's entries (the calls listed under plan-restore${s.batchOperationsAbove !== undefined ? '; on the batch path all but the copies' : ''}), ${s.concurrency} calls in flight, halving on 503 SlowDown; each entry logged to <executionId>.s3-applied.jsonl beside the journal`,
    ],
    async run({ state: s, executionId, progress, signal }) {
      const planFile = s.planFile;
      if (!planFile) throw new PreconditionError('plan-restore recorded no plan file');
      const started = Date.now();
      const log = await AppliedLog.open(appliedFilePath(planDirOf(s), executionId));
      // on the batch path the job makes the copies: they are not applied here
      const byJob = s.batchJobId !== undefined;
      const total = (s.plannedEntries ?? 0) - (byJob ? (s.batchCopies ?? 0) : 0);
      const failed: Array<{ key: string; code: string; message: string; retryable: boolean }> = [];
      let found = 0;
      let last = 0;
      const report = () => {
        const done = log.doneCount;
        // every 5% (a crash-point test hooks on these) or every 2 s, whichever comes first
        if (
          done === total ||
          done % Math.max(1, Math.ceil(total / 20)) === 0 ||
          Date.now() - last > 2000
        ) {
          last = Date.now();
          progress(`applied ${done}/${total} entries, ${failed.length} failed`);
        }
      };
      async function* todo(): AsyncGenerator<PlanEntry> {
        for await (const e of readPlan(planFile!))
          if (!log.isDone(e.i) && !(byJob && e.a.kind === 'copy')) yield e;
      }
      let stats;
      try {
        stats = await runAdaptive(
          todo(),
          async ({ i, a }) => {
            if (log.inDoubt(i) && (await deps.store.actionTookEffect(s.bucket, a))) {
              found++; // sent before the crash and it took effect: do not write it again
              log.finish(i, a, { found: true });
            } else {
              log.start(i);
              log.finish(i, a, await deps.store.applyAction(s.bucket, a));
            }
            report();
          },
          {
            concurrency: s.concurrency,
            signal,
            isThrottle: (e) => e instanceof DrError && e.code === 'THROTTLED',
            onError: ({ a }, err) => {
              const e = err instanceof DrError ? err : new DrError('EXTERNAL', String(err));
              failed.push({ key: a.key, code: e.code, message: e.message, retryable: e.retryable });
            },
          },
        );
      } finally {
        log.close();
      }
      if (failed.length > 0) {
        throw new DrError('EXTERNAL', `${failed.length} of ${total} plan entries failed to apply`, {
          retryable: failed.every((f) => f.retryable),
          hint: 'running the step again (or `drkit runbook resume`) applies only the entries not yet applied',
          details: { failed: failed.slice(0, 50), applied: log.doneCount },
        });
      }
      return {
        restoredCount: (log.done.get('copy') ?? 0) + (log.done.get('remove-delete-markers') ?? 0),
        deletedCount: log.done.get('delete') ?? 0,
        skippedCount: s.plannedActions?.none ?? 0,
        restoreDurationMs: Date.now() - started,
        foundApplied: found,
        throttledCalls: stats.throttled,
      };
    },
  };
}
