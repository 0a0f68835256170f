/**
 * The key-value port: DynamoDB-style tables that can be restored to a point in time into a
 * NEW table (RB-N-05). A restore drops table settings (TTL, point-in-time recovery, streams,
 * tags, auto scaling): implementations re-apply them from the source so the new table can
 * take over.
 *
 * Contract: `restoreToTime` never writes to the source; an existing `newTable` is a
 * `PreconditionError`; a time outside the source's window is an `OutOfWindowError`; an unknown
 * table is a `NotFoundError`.
 */
export interface KeyValue {
  /** Adapter name, e.g. `aws-dynamodb`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<KeyValueCapability>;
  describeTable(name: string): Promise<TableInfo>;
  /** Turns point-in-time recovery on (idempotent). */
  enablePitr(name: string): Promise<void>;
  restoreToTime(req: TableRestoreRequest): Promise<TableRestoreResult>;
}

export type KeyValueCapability = 'pitr' | 'ttl' | 'streams' | 'tags' | 'autoscaling' | 'global-tables';

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
}

export interface TableRestoreRequest {
  readonly source: string;
  readonly target: Date | 'latest';
  readonly newTable: string;
}

export interface TableRestoreResult {
  readonly table: TableInfo;
  /** Settings re-applied from the source (`ttl`, `pitr`, `stream`, `tags`, `autoscaling`). */
  readonly reapplied: readonly string[];
  readonly durationMs: number;
}
