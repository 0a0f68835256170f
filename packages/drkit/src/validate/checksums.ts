import type pg from 'pg';
import { UsageError } from '../engine/errors.js';

/**
 * Data-consistency checksums: per table, the row count and an order-free sum of per-row hashes
 * of (key, updated_at), computed in key-ordered chunks with keyset pagination so neither
 * PostgreSQL nor drkit ever holds a whole table (the seed's `md5(string_agg(...))` builds the
 * whole table as one string in a backend).
 */
export interface TableChecksum {
  readonly table: string;
  readonly key: string;
  /**
   * The version column the row hashes cover; comparisons must hash the same column. Absent in
   * snapshot files written before it was recorded. @default 'updated_at'
   */
  readonly version?: string;
  readonly rowCount: number;
  /** Largest key seen (null for an empty table). Comparisons can be bounded by it. */
  readonly maxKey: string | null;
  /** Chunks in key order; chunk i covers keys in (chunks[i-1].toKey, chunks[i].toKey]. */
  readonly chunks: ReadonlyArray<ChunkChecksum>;
}

export interface ChunkChecksum {
  /** Exclusive lower bound (null: from the first key). */
  readonly fromKey: string | null;
  /** Inclusive upper bound. */
  readonly toKey: string;
  readonly rows: number;
  /** Sum of 64-bit row hashes, as a decimal string (numeric in PostgreSQL). */
  readonly hash: string;
}

/** Which tables to check and how. */
export interface TableSpec {
  readonly table: string;
  /** Integer primary key column. @default 'id' */
  readonly key?: string;
  /** Column that changes on every update. @default 'updated_at' */
  readonly version?: string;
}

/** The sample application's tables (users, orders, payments, messages). */
export const APP_TABLES: ReadonlyArray<TableSpec> = ['users', 'orders', 'payments', 'messages'].map(
  (table) => ({ table }),
);

const IDENT = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** A checked, quoted identifier (`public.orders` → `"public"."orders"`). @throws UsageError */
export function ident(name: string): string {
  if (!IDENT.test(name))
    throw new UsageError(`'${name}' is not a plain table or column name`, {
      hint: 'use lower-case identifiers like public.orders',
    });
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

/** SQL expression of one row's hash. Time zone is pinned to UTC by {@link prepareSession}. */
function rowHash(spec: TableSpec): string {
  const k = ident(spec.key ?? 'id');
  const v = ident(spec.version ?? 'updated_at');
  return `hashtextextended(${k}::text || ':' || coalesce(${v}::text, '∅'), 0)::numeric`;
}

/** Pins settings that change text renderings (time zone, extra float digits). */
export async function prepareSession(client: pg.ClientBase): Promise<void> {
  await client.query(`SET TIME ZONE 'UTC'; SET extra_float_digits = 3; SET statement_timeout = 0`);
}

/**
 * Checksums one table in chunks of `chunkRows`, walking the key index with keyset pagination.
 * `fromKey` (exclusive) and `upToKey` (inclusive) bound the walk. `maxKey` is the last chunk's
 * upper key, or `fromKey` when the range holds no row.
 */
export async function checksumTable(
  client: pg.ClientBase,
  spec: TableSpec,
  opts: {
    chunkRows?: number;
    /** Exclusive lower bound of the walk (a parallel worker's range). @default from the first key */
    fromKey?: string | null;
    upToKey?: string | null;
    onChunk?: (c: ChunkChecksum) => void;
  } = {},
): Promise<TableChecksum> {
  const chunkRows = opts.chunkRows ?? 50_000;
  const k = ident(spec.key ?? 'id');
  const t = ident(spec.table);
  const bound =
    opts.upToKey === undefined
      ? ''
      : opts.upToKey === null
        ? ' AND false'
        : ` AND ${k} <= $3::bigint`;
  const sql =
    `SELECT max(k)::text AS to_key, count(*)::int AS rows, coalesce(sum(h), 0)::text AS hash FROM (` +
    `SELECT ${k} AS k, ${rowHash(spec)} AS h FROM ${t} WHERE ($1::bigint IS NULL OR ${k} > $1::bigint)${bound} ORDER BY ${k} LIMIT $2) s`;
  const chunks: ChunkChecksum[] = [];
  let from: string | null = opts.fromKey ?? null;
  let rowCount = 0;
  for (;;) {
    const params: unknown[] = [from, chunkRows];
    if (opts.upToKey !== undefined && opts.upToKey !== null) params.push(opts.upToKey);
    const r = await client.query<{ to_key: string | null; rows: number; hash: string }>(
      sql,
      params,
    );
    const row = r.rows[0];
    if (!row || row.rows === 0 || row.to_key === null) break;
    const c: ChunkChecksum = { fromKey: from, toKey: row.to_key, rows: row.rows, hash: row.hash };
    chunks.push(c);
    opts.onChunk?.(c);
    rowCount += row.rows;
    from = row.to_key;
    if (row.rows < chunkRows) break;
  }
  return {
    table: spec.table,
    key: spec.key ?? 'id',
    version: spec.version ?? 'updated_at',
    rowCount,
    maxKey: from,
    chunks,
  };
}

/** Checksums of a key range (fromKey, toKey] on any database, for comparing against a chunk. */
export async function checksumRange(
  client: pg.ClientBase,
  spec: TableSpec,
  fromKey: string | null,
  toKey: string | null,
): Promise<{ rows: number; hash: string }> {
  const k = ident(spec.key ?? 'id');
  const r = await client.query<{ rows: number; hash: string }>(
    `SELECT count(*)::int AS rows, coalesce(sum(${rowHash(spec)}), 0)::text AS hash FROM ${ident(spec.table)} ` +
      `WHERE ($1::bigint IS NULL OR ${k} > $1::bigint) AND ($2::bigint IS NULL OR ${k} <= $2::bigint)`,
    [fromKey, toKey],
  );
  const row = r.rows[0]!;
  return { rows: row.rows, hash: row.hash };
}

/** Rows (key, version) of a small key range, for naming exact differences. */
export async function rowsInRange(
  client: pg.ClientBase,
  spec: TableSpec,
  fromKey: string | null,
  toKey: string,
): Promise<Map<string, string>> {
  const k = ident(spec.key ?? 'id');
  const v = ident(spec.version ?? 'updated_at');
  const r = await client.query<{ k: string; v: string | null }>(
    `SELECT ${k}::text AS k, ${v}::text AS v FROM ${ident(spec.table)} WHERE ($1::bigint IS NULL OR ${k} > $1::bigint) AND ${k} <= $2::bigint ORDER BY ${k}`,
    [fromKey, toKey],
  );
  return new Map(r.rows.map((row) => [row.k, row.v ?? '∅']));
}
