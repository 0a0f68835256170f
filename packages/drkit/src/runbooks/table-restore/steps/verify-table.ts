import { PreconditionError, ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  settingsDiff,
  settingsOf,
  type TableRestoreDeps,
  type TableRestoreState,
} from '../context.js';

/**
 * Step 3: the new table is ACTIVE, was restored from the source, and carries every setting of
 * the source (PITR, TTL, stream, tags). Item counts are reported, not compared: a restore to an
 * earlier time legitimately differs, and DynamoDB refreshes ItemCount only about every 6 hours.
 */
export function verifyTable(deps: TableRestoreDeps): Step<TableRestoreState> {
  return {
    id: 'verify-table',
    title: 'Verify the new table is ACTIVE and carries every setting of the source',
    // tags are eventually consistent on DynamoDB
    retry: { attempts: 4, baseDelayMs: 2000, retryAll: true },
    plan: ({ state: s }) =>
      (deps.keyValue.planDescribeTable?.(s.newTable) ?? [`describeTable ${s.newTable}`]).map(
        (l) =>
          `${deps.keyValue.kind}: ${l}: ACTIVE, restored from ${s.table}, PITR/TTL/stream/tags equal to the source's; item counts reported`,
      ),
    async run({ state: s }) {
      if (!s.sourceSettings)
        throw new PreconditionError('no source settings recorded (preflight did not run)');
      const t = await deps.keyValue.describeTable(s.newTable);
      if (t.status !== 'ACTIVE')
        throw new ValidationFailedError(`table ${s.newTable} is ${t.status}, not ACTIVE`);
      if (s.sourceArn && t.restoredFrom && t.restoredFrom !== s.sourceArn) {
        throw new ValidationFailedError(
          `table ${s.newTable} was restored from ${t.restoredFrom}, not ${s.sourceArn}`,
        );
      }
      const diff = settingsDiff(s.sourceSettings, settingsOf(t));
      if (diff.length > 0) {
        throw new ValidationFailedError(
          `table ${s.newTable} lacks settings of ${s.table}: ${diff.join('; ')}`,
          {
            details: { diff },
            hint: 'set them on the new table by hand, then resume the execution (verify-table runs again; nothing was swapped yet)',
          },
        );
      }
      const src = s.sourceSettings;
      return {
        newItemCount: t.itemCount,
        verifiedSettings: [
          'pitr',
          ...(src.ttlAttribute ? ['ttl'] : []),
          ...(src.streamViewType ? ['stream'] : []),
          ...(Object.keys(src.tags).length ? ['tags'] : []),
        ],
        verifiedAt: new Date().toISOString(),
      };
    },
  };
}
