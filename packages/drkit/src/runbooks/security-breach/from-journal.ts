import { NotFoundError, UsageError } from '../../engine/errors.js';
import { Journal, summarize } from '../../engine/journal.js';
import type { StageLimits } from './params.js';

/**
 * The limits a security-breach execution recorded before it cut its stages (its
 * `isolate-api` output), read from its journal, plus its incident id.
 * @throws NotFoundError without that journal; UsageError when it is another runbook's or
 * never isolated anything
 */
export function previousThrottlesFromJournal(
  journalDir: string,
  executionId: string,
): { throttles: StageLimits[]; incidentId: string | undefined } {
  const j = Journal.open(journalDir, executionId);
  const file = j.file;
  j.close();
  const s = summarize(Journal.read(file));
  if (s.runbook !== 'security-breach')
    throw new UsageError(
      `execution ${executionId} is of runbook ${s.runbook}, not security-breach`,
    );
  const prev = s.state.previousThrottles;
  if (!s.completed.has('isolate-api') || !Array.isArray(prev)) {
    throw new NotFoundError(
      `execution ${executionId} never completed isolate-api: it changed no stage, so there is nothing to restore`,
      {
        hint: 'resume it, or give the limits with --param throttles=<apiId/stage=rate:burst,…>',
      },
    );
  }
  const incidentId = typeof s.state.incidentId === 'string' ? s.state.incidentId : undefined;
  return { throttles: prev as StageLimits[], incidentId };
}
