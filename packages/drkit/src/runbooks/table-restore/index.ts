import type { Runbook } from '../../engine/runbook.js';
import type { TableRestoreDeps, TableRestoreState } from './context.js';
import { archiveOldTable } from './steps/archive-old-table.js';
import { notifyRestored } from './steps/notify.js';
import { preflight } from './steps/preflight.js';
import { restoreTable } from './steps/restore-table.js';
import { swapReferences } from './steps/swap-references.js';
import { verifyTable } from './steps/verify-table.js';

export type { TableRestoreDeps, TableRestoreState } from './context.js';
export { restoreTarget } from './context.js';
export { TableRestoreParamsSchema, withGeneratedNames, type TableRestoreParams } from './params.js';

/** RB-N-05's id in journals and on the command line. */
export const TABLE_RESTORE_RUNBOOK_ID = 'rb-n-05';

/**
 * RB-N-05 — DynamoDB table restore (corruption or a mis-deployment): preflight (read-only),
 * point-in-time restore into a new table with its settings re-applied (destructive), verify,
 * swap the app's references (destructive), back up and tag the old table (never deleted),
 * notify. A global table is refused without `force`: see the preflight step.
 */
export function createTableRestoreRunbook(deps: TableRestoreDeps): Runbook<TableRestoreState> {
  return {
    id: TABLE_RESTORE_RUNBOOK_ID,
    title: 'RB-N-05 DynamoDB table restore (PITR into a new table, swap, archive)',
    lockKey: (p) => `key-value:${p.table}`,
    steps: [
      preflight(deps),
      restoreTable(deps),
      verifyTable(deps),
      swapReferences(deps),
      archiveOldTable(deps),
      notifyRestored(deps),
    ],
  };
}
