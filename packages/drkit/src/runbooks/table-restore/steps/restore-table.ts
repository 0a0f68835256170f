import type { Step } from '../../../engine/step.js';
import type { TableRestoreRequest } from '../../../ports/key-value.js';
import { restoreTarget, type TableRestoreDeps, type TableRestoreState } from '../context.js';

/**
 * Step 2 (destructive: a new table, billed; seed: `aws dynamodb restore-table-to-point-in-time
 * --use-latest-restorable-time`): restores into `newTable` and re-applies what a restore drops
 * (TTL, PITR, stream, tags, auto scaling). Run again after a crash, it accepts a `newTable`
 * restored from the source once preflight had seen the name free (this execution's own), and
 * refuses any other.
 */
export function restoreTable(deps: TableRestoreDeps): Step<TableRestoreState> {
  const req = (s: TableRestoreState): TableRestoreRequest => ({
    source: s.table,
    target: restoreTarget(s),
    newTable: s.newTable,
    resumeOwn: s.newTableFreeAt !== undefined,
  });
  return {
    id: 'restore-table',
    title: 'Restore the table to a point in time into a new table and re-apply its settings',
    destructive: true,
    retry: { attempts: 2 },
    timeoutMs: 2 * 60 * 60_000,
    plan: async ({ state: s }) =>
      (await deps.keyValue.planRestoreToTime(req(s))).map((l) => `${deps.keyValue.kind}: ${l}`),
    async run({ state: s, progress }) {
      progress(`restoring ${s.table} -> ${s.newTable} (${s.target})`);
      const r = await deps.keyValue.restoreToTime(req(s));
      return { restoredTo: s.target, reapplied: [...r.reapplied], restoreDurationMs: r.durationMs };
    },
  };
}
