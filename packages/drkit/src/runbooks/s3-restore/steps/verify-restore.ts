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
import { appliedFilePath, readExpected, type ExpectedKey } from '../plan-file.js';
import { compareUtf8 } from '../../../util/utf8-order.js';

/**
 * Step 5: the write answers prove each entry (every CopyObject and DeleteObject answered with
 * the version it made, logged by the restore step); then one final listing of the prefix
 * catches what a concurrent writer changed meanwhile: any key not at its state at T is named
 * and fails the step. The final listing is a ListObjectsV2 (current objects only) merged key
 * by key with the ETags at T plan-restore recorded; when any key's ETag at T is multipart
 * (CopyObject gives the copy a plain MD5 ETag, so ETags cannot prove it) the versions are
 * listed and planned against T again instead. A manifest run looks its keys up.
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
        : `${deps.store.kind}: list s3://${s.bucket}/${s.prefix} once more and name any key not at its state at ${s.at} (read-only): the current objects (${deps.store.planListLatest(s.bucket, { prefix: s.prefix, pageSize: s.pageSize }).join('; ')}) compared key by key with the ETags at T the plan recorded, or, when a key's ETag at T is multipart (a copy gets another ETag), every version again`,
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
      } else if (latestProves(s)) {
        passes++;
        await compareLatest(deps, s, (d) => left.push(d));
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
        ...(s.manifest === undefined
          ? { finalCheck: latestProves(s) ? ('latest' as const) : ('versions' as const) }
          : {}),
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

/** True when the final check can compare current ETags with the ETags at T. */
function latestProves(s: S3RestoreState): boolean {
  return s.expectedFile !== undefined && (s.expectedUnprovable ?? 0) === 0;
}

/**
 * Merges a ListObjectsV2 of the prefix with the expected file (both in S3's key order,
 * streamed: one page and one expected line in memory) and hands each difference to `diff`:
 * a key present at T that is gone (missing), present with another ETag or size (changed), or
 * listed although absent at T (extra).
 */
async function compareLatest(
  deps: S3RestoreDeps,
  s: S3RestoreState,
  diff: (line: string) => void,
): Promise<number> {
  const it = readExpected(s.expectedFile!)[Symbol.asyncIterator]();
  let exp: ExpectedKey | undefined;
  const advance = async () => {
    const r = await it.next();
    exp = r.done ? undefined : r.value;
  };
  await advance();
  const pages = await deps.store.eachLatestPage(
    s.bucket,
    { prefix: s.prefix, pageSize: s.pageSize },
    async (entries) => {
      for (const e of entries) {
        while (exp && compareUtf8(exp.k, e.key) < 0) {
          diff(`${exp.k}: missing (present at T, gone now)`);
          await advance();
        }
        if (exp && exp.k === e.key) {
          if (exp.e !== e.etag || (exp.z !== undefined && e.size !== exp.z))
            diff(`${e.key}: changed (ETag ${e.etag ?? '?'} now, ${exp.e ?? '?'} at T)`);
          await advance();
        } else diff(`${e.key}: extra (absent at T, present now)`);
      }
    },
  );
  for (; exp; await advance()) diff(`${exp.k}: missing (present at T, gone now)`);
  return pages;
}
