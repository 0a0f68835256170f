import type { DrkitConfig } from '../../config/schema.js';
import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import { restoreTarget, type TableRestoreDeps, type TableRestoreState } from './context.js';
import { TableRestoreParamsSchema, withGeneratedNames, type TableRestoreParams } from './params.js';
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
const TITLE = 'RB-N-05 DynamoDB table restore (PITR into a new table, swap, archive)';

/**
 * RB-N-05 — DynamoDB table restore (corruption or a mis-deployment): preflight (read-only),
 * point-in-time restore into a new table with its settings re-applied (destructive), verify,
 * swap the app's references (destructive), back up and tag the old table (never deleted),
 * notify. A global table is refused without `force`: see the preflight step.
 */
export function createTableRestoreRunbook(deps: TableRestoreDeps): Runbook<TableRestoreState> {
  return {
    id: TABLE_RESTORE_RUNBOOK_ID,
    title: TITLE,
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

/** RB-N-05's parameters set in config (`aws.dynamodb`); `--param` values override them. */
export function tableDefaults(config: DrkitConfig): Partial<TableRestoreParams> {
  const d = config.aws.dynamodb;
  return {
    ...(d.configSecret ? { configSecret: d.configSecret } : {}),
    ...(d.configKey ? { configKey: d.configKey } : {}),
    ...(d.functions.length ? { functions: d.functions } : {}),
    ...(d.envVar ? { envVar: d.envVar } : {}),
  };
}

/** RB-N-05 as `drkit runbook run rb-n-05` runs it. */
export const tableRestore = defineRunbook({
  id: TABLE_RESTORE_RUNBOOK_ID,
  aliases: ['table-restore', 'dynamodb-restore'],
  title: TITLE,
  params: TableRestoreParamsSchema,
  paramNote: 'configSecret, configKey, functions and envVar default to aws.dynamodb in the config',
  needs: ['keyValue'],
  uses: ['configSecrets', 'functions', 'notifier'],
  normalize(raw, { config, hint }): TableRestoreState {
    const p = parseParams(TableRestoreParamsSchema, { ...tableDefaults(config), ...raw }, hint);
    restoreTarget(p); // refuses a malformed or future target before anything runs
    return withGeneratedNames(p);
  },
  create: (ports) =>
    createTableRestoreRunbook({
      keyValue: ports.keyValue,
      ...(ports.configSecrets ? { secrets: ports.configSecrets } : {}),
      ...(ports.functions ? { functions: ports.functions } : {}),
      ...(ports.notifier ? { notifier: ports.notifier } : {}),
    }),
});
