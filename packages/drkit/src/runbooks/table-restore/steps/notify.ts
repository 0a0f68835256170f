import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { TableRestoreDeps, TableRestoreState } from '../context.js';

/** Step 6: tells people the outcome, including how to revert the swap. */
export function notifyRestored(deps: TableRestoreDeps): Step<TableRestoreState> {
  return notifyStep<TableRestoreState>(deps.notifier, {
    title: 'Notify the outcome',
    retry: { attempts: 3 },
    message: ({ state: s }) => ({ subject: subject(s), body: body(s), severity: 'info' }),
  });
}

const subject = (s: TableRestoreState) =>
  `RB-N-05 restore of DynamoDB table ${s.table} into ${s.newTable} done`;

function body(s: TableRestoreState): string {
  const revert = [
    ...(s.configSecret
      ? [`secret ${s.configSecret} ${s.configKey}=${s.previousConfigValue ?? '(unset)'}`]
      : []),
    ...(s.functions ?? []).map(
      (f) => `lambda ${f} ${s.envVar}=${s.previousFunctionEnv?.[f] ?? '(unset)'}`,
    ),
  ];
  return [
    `Restored ${s.table} to ${s.restoredTo ?? s.target} into ${s.newTable}; settings re-applied: ${(s.reapplied ?? []).join(', ') || 'none'}.`,
    `Items (DescribeTable, approximate): source ${s.sourceItemCount ?? '?'}, new table ${s.newItemCount ?? '?'}.`,
    revert.length
      ? `Swapped to ${s.newTable}; to revert set ${revert.join('; ')}.`
      : 'Nothing swapped: point the app at the new table.',
    s.backupArn
      ? `Old table kept, backed up as ${s.backupName} (${s.backupArn}).`
      : `Old table ${s.table} kept, not backed up.`,
    ...(s.replicas?.length
      ? [
          `The source was a global table (replicas in ${s.replicas.join(', ')}): add replicas to ${s.newTable}.`,
        ]
      : []),
  ].join('\n');
}
