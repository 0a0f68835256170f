import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  makePlan,
  planDirOf,
  restorePoint,
  type S3RestoreDeps,
  type S3RestoreState,
} from '../context.js';
import { appliedFilePath } from '../plan-file.js';

/**
 * Step 5: the write answers prove each entry (every CopyObject and DeleteObject answered with
 * the version it made, logged by the restore step); then one final listing of the prefix,
 * planned against T again, catches what a concurrent writer changed meanwhile: any key not at
 * its state at T is named and fails the step. A manifest run looks its keys up instead.
 */
export function verifyRestore(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'verify-restore',
    title: 'Verify every key is at its target state',
    retry: { attempts: 3 },
    timeoutMs: 4 * 60 * 60_000,
    plan: ({ state: s }) => [
      'check that every plan entry has a write answer (the version it made) in the apply log',
      s.manifest !== undefined
        ? `${deps.store.kind}: look each manifest key up again (read-only)`
        : `${deps.store.kind}: list s3://${s.bucket}/${s.prefix} once more and name any key not at its state at ${s.at} (read-only)`,
    ],
    async run({ state: s, executionId }) {
      const answered = await answeredEntries(appliedFilePath(planDirOf(s), executionId));
      // the batch job's copies have no write answer here: the final listing checks them
      const planned =
        (s.plannedEntries ?? 0) - (s.batchJobId !== undefined ? (s.batchCopies ?? 0) : 0);
      if (answered < planned) {
        throw new ValidationFailedError(
          `${planned - answered} of ${planned} plan entries have no write answer`,
          { hint: 'run `drkit runbook resume` to apply them' },
        );
      }
      const left: string[] = [];
      let passes = s.listingPasses ?? 0;
      if (s.manifest !== undefined) {
        const plan = await makePlan(deps, s);
        for (const a of plan.actions) if (a.kind !== 'none') left.push(`${a.key}: ${a.kind}`);
      } else {
        passes++;
        await deps.store.streamRestoreToTime(s.bucket, s.prefix, restorePoint(s), {
          preferCopy: s.preferCopy,
          pageSize: s.pageSize,
          onAction: (a) => {
            if (a.kind !== 'none') left.push(`${a.key}: ${a.kind}`);
          },
        });
      }
      if (left.length > 0) {
        throw new ValidationFailedError(
          `${left.length} key(s) are not at their target state after the restore (written under it, or a write failed): ${left.slice(0, 10).join(', ')}`,
          {
            details: { keys: left.slice(0, 50), listingPasses: passes },
            hint:
              s.batchJobId !== undefined
                ? `S3 Batch Operations job ${s.batchJobId} makes the copies and may still be running (aws s3control describe-job --account-id ${s.batchAccountId} --job-id ${s.batchJobId}; report under ${s.batchReport}): once it is Complete, run \`drkit runbook resume\`; if keys are still named then, something else wrote to the bucket`
                : 'something wrote to the bucket during the restore; find the writer, then run the runbook again',
          },
        );
      }
      return {
        verifiedAt: new Date().toISOString(),
        verifiedByResponse: answered,
        listingPasses: passes,
        changedUnderRestore: [],
      };
    },
  };
}

/** Plan entries whose write answered (or that were found applied after a crash). */
async function answeredEntries(file: string): Promise<number> {
  // each entry has one outcome line (a resumed run skips the entries already applied)
  let out = 0;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    const r = JSON.parse(line || '{}') as {
      d?: number;
      madeVersionId?: string;
      removedVersionIds?: string[];
      found?: boolean;
    };
    if (r.d !== undefined && (r.madeVersionId || r.removedVersionIds?.length || r.found)) out++;
  }
  return out;
}
