/**
 * The key-value port: DynamoDB-style tables that can be restored to a point in time into a
 * NEW table (RB-N-05). A restore drops table settings (TTL, point-in-time recovery, streams,
 * tags, auto scaling): implementations re-apply them from the source so the new table can
 * take over.
 *
 * Contract: `restoreToTime` never writes to the source; an existing `newTable` is a
 * `PreconditionError` (unless `resumeOwn` and it was restored from that source); a time outside
 * the source's window is an `OutOfWindowError`; an unknown table is a `NotFoundError`.
 * `planRestoreToTime` reads only and refuses what `restoreToTime` would refuse.
 * `createBackup` is idempotent by backup name.
 */
export interface KeyValue {
  /** Adapter name, e.g. `aws-dynamodb`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<KeyValueCapability>;
  describeTable(name: string): Promise<TableInfo>;
  /** Turns point-in-time recovery on (idempotent). */
  enablePitr(name: string): Promise<void>;
  restoreToTime(req: TableRestoreRequest): Promise<TableRestoreResult>;
  /** The exact API calls `restoreToTime(req)` would make (read-only; same refusals). */
  planRestoreToTime(req: TableRestoreRequest): Promise<string[]>;
  /**
   * An on-demand backup of `table` named `backupName`; when one of that name already exists
   * for the table it is returned instead (safe to run twice). @throws NotFoundError
   */
  createBackup(table: string, backupName: string): Promise<TableBackup>;
  /** The table's on-demand backups (oldest first). */
  listBackups(table: string): Promise<TableBackup[]>;
  /** Adds (or overwrites) tags on a table; other tags are kept. @throws NotFoundError */
  tagTable(name: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /**
   * The exact calls `describeTable(name)` makes (for `--dry-run`).
   * @default the runbook names the port call
   */
  planDescribeTable?(name: string): string[];
  /**
   * The exact calls `createBackup(table, backupName)` would make (for `--dry-run`).
   * @default the runbook names the port call
   */
  planCreateBackup?(table: string, backupName: string): string[];
  /**
   * The exact call `tagTable(name, tags)` would make (for `--dry-run`); a tag value written
   * `<…>` is known only at run time. @default the runbook names the port call
   */
  planTagTable?(name: string, tags: Readonly<Record<string, string>>): string[];
}

export type KeyValueCapability =
  'pitr' | 'ttl' | 'streams' | 'tags' | 'autoscaling' | 'global-tables' | 'backups';

/** An on-demand backup of a table. */
export interface TableBackup {
  readonly arn: string;
  readonly name: string;
  readonly table: string;
  /** `CREATING`, `AVAILABLE` or `DELETED`. */
  readonly status: string;
  readonly createdAt: Date;
}

export interface TableInfo {
  readonly name: string;
  readonly status: string;
  readonly arn: string;
  readonly itemCount: number;
  readonly pitr: boolean;
  /** Earliest/latest restorable instants when PITR is on. */
  readonly window?: { readonly earliest: Date; readonly latest: Date };
  readonly ttlAttribute?: string;
  readonly streamViewType?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Regions of the table's global-table replicas (other than this one). @default none */
  readonly replicas?: readonly string[];
  /** ARN of the table this one was restored from (DescribeTable's RestoreSummary). */
  readonly restoredFrom?: string;
}

export interface TableRestoreRequest {
  readonly source: string;
  readonly target: Date | 'latest';
  readonly newTable: string;
  /**
   * Accept an existing `newTable` restored from `source` (a resumed run whose restore call was
   * already made): wait for it and re-apply the settings instead of refusing. @default false
   */
  readonly resumeOwn?: boolean;
}

export interface TableRestoreResult {
  readonly table: TableInfo;
  /** Settings re-applied from the source (`ttl`, `pitr`, `stream`, `tags`, `autoscaling`). */
  readonly reapplied: readonly string[];
  readonly durationMs: number;
}
