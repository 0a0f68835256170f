import { z } from 'zod';
import { nameList } from '../shared/name-list.js';
import { boolParam } from '../shared/bool-param.js';
import { UsageError } from '../../engine/errors.js';

/** DynamoDB's rule for table names (and backup names). */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const tableName = z.string().regex(TABLE_NAME, 'a DynamoDB table name: 3-255 of a-z A-Z 0-9 _ . -');

/** Parameters of RB-N-05 (what `drkit runbook run rb-n-05 --param k=v` accepts). */
export const TableRestoreParamsSchema = z
  .object({
    /** The damaged (source) table. It is never written to, nor deleted. */
    table: tableName,
    /** `latest` or an ISO-8601 instant with a zone inside the source's PITR window. @default 'latest' */
    target: z.string().min(1).default('latest'),
    /** The table restored into. @default `${table}_restore_<unix seconds>` (the seed's name) */
    newTable: tableName.optional(),
    /** Secrets Manager secret (JSON) the app reads its table name from. @default none */
    configSecret: z.string().min(1).optional(),
    /** Key of `configSecret` that holds the table name; required with `configSecret`. */
    configKey: z.string().min(1).optional(),
    /** Lambda functions whose `envVar` holds the table name (comma-separated). @default none */
    functions: nameList.optional(),
    /** Environment variable of `functions` that holds the table name; required with `functions`. */
    envVar: z
      .string()
      .regex(/^[a-zA-Z]\w*$/, 'an environment variable name')
      .optional(),
    /** Take an on-demand backup of the old table and tag it as superseded. @default true */
    archive: boolParam().default(true),
    /** Name of that backup. @default `${table}_before_restore_<unix seconds>` */
    backupName: tableName.optional(),
    /**
     * Restore a global table anyway (its replicas hold the same corruption: a data error
     * replicates). Without it RB-N-05 refuses a global table and says to flip to a replica.
     * @default false
     */
    force: boolParam().default(false),
  })
  .strict()
  .refine((p) => (p.configSecret === undefined) === (p.configKey === undefined), {
    message: 'give configSecret and configKey together',
  })
  .refine(
    (p) => (p.functions === undefined || p.functions.length === 0) === (p.envVar === undefined),
    { message: 'give functions and envVar together' },
  )
  .refine((p) => p.newTable !== p.table, {
    message: 'newTable must differ from table: a restore always creates a new table',
  });

export type TableRestoreParams = z.infer<typeof TableRestoreParamsSchema>;

/**
 * Fills the generated names with one unix-seconds stamp, so a resumed run uses the same ones.
 * @throws UsageError when a generated name breaks DynamoDB's naming rule (a very long `table`)
 */
export function withGeneratedNames(
  p: TableRestoreParams,
  now = new Date(),
): TableRestoreParams & { newTable: string; backupName: string } {
  const stamp = Math.floor(now.getTime() / 1000);
  const newTable = p.newTable ?? `${p.table}_restore_${stamp}`;
  const backupName = p.backupName ?? `${p.table}_before_restore_${stamp}`;
  for (const [k, v] of [
    ['newTable', newTable],
    ['backupName', backupName],
  ] as const) {
    if (!TABLE_NAME.test(v))
      throw new UsageError(`generated ${k} '${v}' is not a valid DynamoDB name`, {
        hint: `pass --param ${k}=<name>`,
      });
  }
  return { ...p, newTable, backupName };
}
