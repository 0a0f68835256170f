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
    plan: ({ state: s }) => [
      `${deps.keyValue.kind}: dynamodb:ListBackups TableName=${s.table} BackupType=USER (a backup named ${s.backupName} is reused)`,
      `${deps.keyValue.kind}: dynamodb:CreateBackup TableName=${s.table} BackupName=${s.backupName}`,
      `${deps.keyValue.kind}: dynamodb:TagResource ResourceArn=<arn of ${s.table}> Tags=[drkit:archived-backup=<backup arn>, drkit:superseded-by=${s.newTable}, drkit:execution=<execution id>]`,
      `the old table ${s.table} is kept (not deleted)`,
    ],
    async run({ state: s, executionId }) {
      // the backup name is fixed in the params, so a step run twice finds its own backup
      const b = await deps.keyValue.createBackup(s.table, s.backupName);
      await deps.keyValue.tagTable(s.table, {
        'drkit:archived-backup': b.arn,
        'drkit:superseded-by': s.newTable,
        'drkit:execution': executionId,
      });
      return { backupArn: b.arn, archivedAt: new Date().toISOString() };
    },
  };
}
