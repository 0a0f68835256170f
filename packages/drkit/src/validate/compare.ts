import type pg from 'pg';
import {
  checksumRange,
  rowsInRange,
  type ChunkChecksum,
  type TableChecksum,
  type TableSpec,
} from './checksums.js';

/** The outcome for one table. */
export interface TableComparison {
  readonly table: string;
  readonly expectedRows: number;
  readonly actualRows: number;
  readonly ok: boolean;
  /** The first key range whose rows differ, narrowed by bisection; absent when equal. */
  readonly firstDifference?: KeyRangeDifference;
  /** How many chunks differ. */
  readonly differingChunks: number;
}

export interface KeyRangeDifference {
  /** Exclusive lower bound (null: from the first key). */
  readonly fromKey: string | null;
  /** Inclusive upper bound. */
  readonly toKey: string;
  readonly expectedRows: number;
  readonly actualRows: number;
  /** Exact keys that differ inside the narrowed range (missing, extra or changed), at most 20. */
  readonly keys: ReadonlyArray<{ key: string; kind: 'missing' | 'extra' | 'changed' }>;
}

export interface CompareOptions {
  /**
   * Only compare keys up to the expected table's max key (rows added later on the target are
   * ignored). Used when the expected checksums were taken earlier than the target's state.
   * @default false
   */
  readonly boundedByExpected?: boolean;
  /** Narrow a differing chunk down to at most this many rows before listing keys. @default 64 */
  readonly narrowToRows?: number;
  /**
   * A database holding the expected rows, used to name exact keys inside the differing range.
   * Without it, the range is narrowed only as far as the expected chunks allow.
   */
  readonly expectedClient?: pg.ClientBase;
  readonly spec?: TableSpec;
  /**
   * Computes the target's checksum of every expected chunk range, results in order (e.g. over
   * several connections). @default one query per chunk on `target`, in sequence
   */
  readonly rangeChecksums?: (
    ranges: ReadonlyArray<{ spec: TableSpec; fromKey: string | null; toKey: string }>,
  ) => Promise<Array<{ rows: number; hash: string }>>;
}

/**
 * Compares expected checksums (taken earlier, or just now from the source) with the target
 * database, chunk by chunk, using the expected chunks' key ranges on the target.
 */
export async function compareTable(
  expected: TableChecksum,
  target: pg.ClientBase,
  opts: CompareOptions = {},
): Promise<TableComparison> {
  const spec: TableSpec = opts.spec ?? {
    table: expected.table,
    key: expected.key,
    version: expected.version ?? 'updated_at',
  };
  let actualRows = 0;
  let differing = 0;
  let first: ChunkChecksum | undefined;
  let firstActual: { rows: number; hash: string } | undefined;
  const all = opts.rangeChecksums
    ? await opts.rangeChecksums(
        expected.chunks.map((c) => ({ spec, fromKey: c.fromKey, toKey: c.toKey })),
      )
    : undefined;
  for (const [i, c] of expected.chunks.entries()) {
    const got = all ? all[i]! : await checksumRange(target, spec, c.fromKey, c.toKey);
    actualRows += got.rows;
    if (got.rows !== c.rows || got.hash !== c.hash) {
      differing++;
      if (!first) {
        first = c;
        firstActual = got;
      }
    }
  }
  // Rows on the target beyond the last expected key (or in an empty expected table).
  if (!opts.boundedByExpected) {
    const tail = await checksumRange(target, spec, expected.maxKey, null);
    if (tail.rows > 0) {
      actualRows += tail.rows;
      differing++;
      if (!first) {
        const maxTail = await target.query<{ m: string }>(
          `SELECT max("${spec.key ?? 'id'}")::text AS m FROM ${spec.table}`,
        );
        first = { fromKey: expected.maxKey, toKey: maxTail.rows[0]!.m, rows: 0, hash: '0' };
        firstActual = tail;
      }
    }
  }
  if (!first || !firstActual) {
    return {
      table: expected.table,
      expectedRows: expected.rowCount,
      actualRows,
      ok: true,
      differingChunks: 0,
    };
  }
  const firstDifference = await narrow(first, firstActual, target, spec, opts);
  return {
    table: expected.table,
    expectedRows: expected.rowCount,
    actualRows,
    ok: false,
    firstDifference,
    differingChunks: differing,
  };
}

async function narrow(
  chunk: ChunkChecksum,
  actual: { rows: number; hash: string },
  target: pg.ClientBase,
  spec: TableSpec,
  opts: CompareOptions,
): Promise<KeyRangeDifference> {
  const src = opts.expectedClient;
  const limit = opts.narrowToRows ?? 64;
  let lo = chunk.fromKey;
  let hi = chunk.toKey;
  let exp = { rows: chunk.rows, hash: chunk.hash };
  let act = actual;
  if (src) {
    // Bisect the key range: keep the half whose checksums differ.
    while (Math.max(exp.rows, act.rows) > limit) {
      const loN = lo === null ? BigInt(await minKey(src, target, spec)) - 1n : BigInt(lo);
      const hiN = BigInt(hi);
      if (hiN - loN <= 1n) break;
      const mid = (loN + (hiN - loN) / 2n).toString();
      const e1 = await checksumRange(src, spec, lo, mid);
      const a1 = await checksumRange(target, spec, lo, mid);
      if (e1.rows !== a1.rows || e1.hash !== a1.hash) {
        hi = mid;
        exp = e1;
        act = a1;
      } else {
        lo = mid;
        exp = { rows: exp.rows - e1.rows, hash: (BigInt(exp.hash) - BigInt(e1.hash)).toString() };
        act = { rows: act.rows - a1.rows, hash: (BigInt(act.hash) - BigInt(a1.hash)).toString() };
      }
    }
  }
  const keys: Array<{ key: string; kind: 'missing' | 'extra' | 'changed' }> = [];
  if (src && Math.max(exp.rows, act.rows) <= limit * 4) {
    const e = await rowsInRange(src, spec, lo, hi);
    const a = await rowsInRange(target, spec, lo, hi);
    for (const [k, v] of e) {
      if (!a.has(k)) keys.push({ key: k, kind: 'missing' });
      else if (a.get(k) !== v) keys.push({ key: k, kind: 'changed' });
    }
    for (const k of a.keys()) if (!e.has(k)) keys.push({ key: k, kind: 'extra' });
  }
  return {
    fromKey: lo,
    toKey: hi,
    expectedRows: exp.rows,
    actualRows: act.rows,
    keys: keys.slice(0, 20),
  };
}

async function minKey(a: pg.ClientBase, b: pg.ClientBase, spec: TableSpec): Promise<string> {
  const q = `SELECT coalesce(min("${spec.key ?? 'id'}"), 0)::text AS m FROM ${spec.table}`;
  const [x, y] = await Promise.all([a.query<{ m: string }>(q), b.query<{ m: string }>(q)]);
  const m = [BigInt(x.rows[0]!.m), BigInt(y.rows[0]!.m)].reduce((p, c) => (c < p ? c : p));
  return m.toString();
}
