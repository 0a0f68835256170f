import type { Step } from '../../../engine/step.js';
import type { TableRestoreDeps, TableRestoreState } from '../context.js';

/**
 * Step 5 (seed: "archive the old one"): an on-demand backup of the old table (DynamoDB
 * CreateBackup; kept until deleted, unlike the 35-day PITR history), then tags on the old
 * table naming the backup and its successor. DynamoDB's own backups cannot be tagged (only
 * AWS Backup's), hence the tags on the table. The old table is never deleted: dropping it is
 * a decision for after the incident review, not for the runbook.
 */
export function archiveOldTable(deps: TableRestoreDeps): Step<TableRestoreState> {
  return {
    id: 'archive-old-table',
    title: 'Back up the old table (CreateBackup) and tag it as superseded; never delete it',
    retry: { attempts: 3 },
    when: ({ state: s }) => s.archive,
    plan: ({ state: s }) => {
      const kv = deps.keyValue;
      const tags = archiveTags(s, '<backup arn>', '<execution id>');
      return [
        ...(kv.planCreateBackup?.(s.table, s.backupName) ?? [
          `createBackup ${s.table} ${s.backupName} (a backup of that name is reused)`,
        ]),
        ...(kv.planTagTable?.(s.table, tags) ?? [`tagTable ${s.table}`]),
      ]
        .map((l) => `${kv.kind}: ${l}`)
        .concat(`the old table ${s.table} is kept (not deleted)`);
    },
    async run({ state: s, executionId }) {
      // the backup name is fixed in the params, so a step run twice finds its own backup
      const b = await deps.keyValue.createBackup(s.table, s.backupName);
      await deps.keyValue.tagTable(s.table, archiveTags(s, b.arn, executionId));
      return { backupArn: b.arn, archivedAt: new Date().toISOString() };
    },
  };
}

/** The tags naming the backup and the successor on the old table. */
function archiveTags(
  s: TableRestoreState,
  backupArn: string,
  executionId: string,
): Record<string, string> {
  return {
    'drkit:archived-backup': backupArn,
    'drkit:superseded-by': s.newTable,
    'drkit:execution': executionId,
  };
}
