import { UsageError } from '../engine/errors.js';
import { cutbackRunbook } from './cutback/index.js';
import { emailFailover } from './email-failover/index.js';
import { fullRecovery } from './full-recovery/index.js';
import { functionRollback } from './function-rollback/index.js';
import type { RunbookEntry } from './entry.js';
import { pitrRestore } from './pitr-restore/index.js';
import { regionFailover } from './region-failover/index.js';
import { s3Restore } from './s3-restore/index.js';
import { searchReindex } from './search-reindex/index.js';
import { securityBreach, securityBreachRestoreAccess } from './security-breach/index.js';
import { switchoverRunbook } from './switchover/index.js';
import { tableRestore } from './table-restore/index.js';
import { webhookReplay } from './webhook-replay/index.js';

export type { RunbookEntry } from './entry.js';

/** Every runbook, listed explicitly: adding one is its folder plus one line here. */
export const RUNBOOKS: readonly RunbookEntry[] = [
  pitrRestore,
  s3Restore,
  regionFailover,
  switchoverRunbook,
  cutbackRunbook,
  securityBreach,
  securityBreachRestoreAccess,
  tableRestore,
  searchReindex,
  webhookReplay,
  emailFailover,
  functionRollback,
  fullRecovery,
];

/** Finds a runbook by id or alias. @throws UsageError */
export function findRunbook(name: string): RunbookEntry {
  const e = RUNBOOKS.find((r) => r.id === name || r.aliases.includes(name));
  if (!e) {
    throw new UsageError(`unknown runbook '${name}'`, {
      hint: `known runbooks: ${RUNBOOKS.map((r) => `${r.id} (${r.aliases.join(', ')})`).join('; ')}`,
    });
  }
  return e;
}
