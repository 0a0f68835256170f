import pg from 'pg';
import { ValidationFailedError } from '../engine/errors.js';
import {
  APP_TABLES,
  checksumRange,
  checksumTable,
  ident,
  prepareSession,
  type ChunkChecksum,
  type TableChecksum,
  type TableSpec,
} from './checksums.js';
import { compareTable, type TableComparison } from './compare.js';

/** Checksums of a set of tables taken in one consistent snapshot. */
export interface ChecksumSnapshot {
  /** The database's clock when the snapshot was taken (ISO-8601, UTC). */
  readonly takenAt: string;
  readonly tables: ReadonlyArray<TableChecksum>;
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly tables: ReadonlyArray<TableComparison>;
  /** Rows compared, each counted once (see {@link rowsCompared}). */
  readonly rowsChecked: number;
  readonly durationMs: number;
}

/**
 * Rows compared across tables, each row once: a table contributes the larger of its expected
 * and actual counts (a row present on both sides is one row; a missing or extra row is one).
 */
export function rowsCompared(
  tables: ReadonlyArray<Pick<TableComparison, 'expectedRows' | 'actualRows'>>,
): number {
  return tables.reduce((n, t) => n + Math.max(t.expectedRows, t.actualRows), 0);
}

/**
 * More connections to the same database, each hashing a share of every table's key ranges
 * inside the first connection's exported snapshot (`pg_export_snapshot()` + `SET TRANSACTION
 * SNAPSHOT`), so the result is the same instant as with one connection. It helps when the
 * server has idle cores; memory stays one row per query on every connection.
 */
export interface ParallelChecksums {
  /** Connections in all, the caller's included. 1 = sequential. */
  readonly workers: number;
  /** Opens one more connection to the same database (closed by drkit). */
  readonly connect: () => Promise<pg.Client>;
}

/**
 * Opens the helper connections of `parallel` inside `leader`'s snapshot (the leader must be in
 * a REPEATABLE READ transaction), runs `fn` with all connections, and always closes the helpers.
 */
async function withSnapshotWorkers<T>(
  leader: pg.ClientBase,
  parallel: ParallelChecksums | undefined,
  fn: (clients: pg.ClientBase[]) => Promise<T>,
): Promise<T> {
  const extra = Math.max(0, Math.floor(parallel?.workers ?? 1) - 1);
  if (!parallel || extra === 0) return fn([leader]);
  const { rows } = await leader.query<{ s: string }>('SELECT pg_export_snapshot() AS s');
  const helpers: pg.Client[] = [];
  try {
    for (let i = 0; i < extra; i++) {
      const c = await parallel.connect();
      helpers.push(c);
      await prepareSession(c);
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await c.query(`SET TRANSACTION SNAPSHOT '${rows[0]!.s.replace(/'/g, "''")}'`);
    }
    return await fn([leader, ...helpers]);
  } finally {
    for (const c of helpers) {
      await c.query('ROLLBACK').catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }
}

/** Runs `tasks` on `clients`, each client taking the next task when it is free; results in order. */
async function onPool<T>(
  clients: readonly pg.ClientBase[],
  tasks: ReadonlyArray<(c: pg.ClientBase) => Promise<T>>,
): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!(c);
      }
    }),
  );
  return out;
}

/**
 * One table's checksums over several connections: the key span [min, max] is cut into
 * 4 ranges per connection (equal key width; a free connection takes the next), each walked
 * with keyset chunks, then stitched so chunk i again covers (chunks[i-1].toKey, toKey]
 * (a range with no row leaves no gap: the next chunk reaches down to the previous one).
 */
async function checksumTableParallel(
  clients: readonly pg.ClientBase[],
  spec: TableSpec,
  chunkRows: number | undefined,
): Promise<TableChecksum> {
  const k = ident(spec.key ?? 'id');
  const bounds = await clients[0]!.query<{ lo: string | null; hi: string | null }>(
    `SELECT min(${k})::text AS lo, max(${k})::text AS hi FROM ${ident(spec.table)}`,
  );
  const { lo, hi } = bounds.rows[0]!;
  if (lo === null || hi === null)
    return checksumTable(clients[0]!, spec, chunkRows ? { chunkRows } : {});
  const start = BigInt(lo) - 1n;
  const span = BigInt(hi) - start;
  const parts = BigInt(Math.min(clients.length * 4, Number(span)));
  const edges = Array.from({ length: Number(parts) + 1 }, (_, i) =>
    i === Number(parts) ? hi : (start + (span * BigInt(i)) / parts).toString(),
  );
  const ranges = await onPool(
    clients,
    edges.slice(1).map(
      (to, i) => (c: pg.ClientBase) =>
        checksumTable(c, spec, {
          fromKey: edges[i]!,
          upToKey: to,
          ...(chunkRows ? { chunkRows } : {}),
        }),
    ),
  );
  const chunks: ChunkChecksum[] = [];
  for (const c of ranges.flatMap((r) => r.chunks))
    chunks.push({ ...c, fromKey: chunks.length ? chunks[chunks.length - 1]!.toKey : null });
  return {
    table: spec.table,
    key: spec.key ?? 'id',
    version: spec.version ?? 'updated_at',
    rowCount: ranges.reduce((n, r) => n + r.rowCount, 0),
    maxKey: chunks.length ? chunks[chunks.length - 1]!.toKey : null,
    chunks,
  };
}

/**
 * Takes checksums of `tables` inside one REPEATABLE READ transaction, so every table is seen
 * at the same instant even while writes go on (with `parallel`, on several connections sharing
 * that transaction's snapshot).
 */
export async function snapshotChecksums(
  client: pg.ClientBase,
  tables: ReadonlyArray<TableSpec> = APP_TABLES,
  opts: {
    chunkRows?: number;
    onProgress?: (msg: string) => void;
    parallel?: ParallelChecksums;
  } = {},
): Promise<ChecksumSnapshot> {
  await prepareSession(client);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const t = await client.query<{ now: Date }>('SELECT now() AS now');
    const out = await withSnapshotWorkers(client, opts.parallel, async (clients) => {
      const done: TableChecksum[] = [];
      for (const spec of tables) {
        const cs =
          clients.length > 1
            ? await checksumTableParallel(clients, spec, opts.chunkRows)
            : await checksumTable(
                client,
                spec,
                opts.chunkRows ? { chunkRows: opts.chunkRows } : {},
              );
        opts.onProgress?.(`${spec.table}: ${cs.rowCount} rows in ${cs.chunks.length} chunks`);
        done.push(cs);
      }
      return done;
    });
    await client.query('COMMIT');
    return { takenAt: t.rows[0]!.now.toISOString(), tables: out };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Compares a snapshot with a target database. */
export async function verifySnapshot(
  snapshot: ChecksumSnapshot,
  target: pg.ClientBase,
  opts: {
    boundedByExpected?: boolean;
    expectedClient?: pg.ClientBase;
    onProgress?: (msg: string) => void;
    /** Range checksums of the target over several connections sharing one snapshot. */
    parallel?: ParallelChecksums;
  } = {},
): Promise<ValidationReport> {
  const started = Date.now();
  await prepareSession(target);
  if (opts.expectedClient) await prepareSession(opts.expectedClient);
  const parallel = (opts.parallel?.workers ?? 1) > 1;
  if (parallel) await target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const tables: TableComparison[] = [];
  try {
    await withSnapshotWorkers(target, parallel ? opts.parallel : undefined, async (clients) => {
      for (const t of snapshot.tables) {
        const cmp = await compareTable(t, target, {
          ...(opts.boundedByExpected ? { boundedByExpected: true } : {}),
          ...(opts.expectedClient ? { expectedClient: opts.expectedClient } : {}),
          ...(clients.length > 1
            ? {
                rangeChecksums: (ranges) =>
                  onPool(
                    clients,
                    ranges.map(
                      (r) => (c: pg.ClientBase) => checksumRange(c, r.spec, r.fromKey, r.toKey),
                    ),
                  ),
              }
            : {}),
        });
        opts.onProgress?.(
          `${t.table}: ${cmp.ok ? 'equal' : 'DIFFERS'} (${cmp.actualRows}/${cmp.expectedRows} rows)`,
        );
        tables.push(cmp);
      }
    });
  } finally {
    if (parallel) await target.query('ROLLBACK').catch(() => undefined);
  }
  return {
    ok: tables.every((t) => t.ok),
    tables,
    rowsChecked: rowsCompared(tables),
    durationMs: Date.now() - started,
  };
}

/** Validates a live source against a live target (`drkit validate --source … --target …`). */
export async function validateDatabases(
  sourceUrl: string,
  targetUrl: string,
  tables: ReadonlyArray<TableSpec> = APP_TABLES,
  opts: { chunkRows?: number; onProgress?: (msg: string) => void; workers?: number } = {},
): Promise<ValidationReport> {
  const pool = (url: string): ParallelChecksums | undefined =>
    (opts.workers ?? 1) > 1
      ? {
          workers: opts.workers!,
          connect: async () => {
            const c = new pg.Client({ connectionString: url });
            await c.connect();
            return c;
          },
        }
      : undefined;
  const source = new pg.Client({ connectionString: sourceUrl });
  const target = new pg.Client({ connectionString: targetUrl });
  await source.connect();
  try {
    await target.connect();
    try {
      const started = Date.now();
      const srcPool = pool(sourceUrl);
      const dstPool = pool(targetUrl);
      const snap = await snapshotChecksums(source, tables, {
        ...(opts.chunkRows ? { chunkRows: opts.chunkRows } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(srcPool ? { parallel: srcPool } : {}),
      });
      const rep = await verifySnapshot(snap, target, {
        expectedClient: source,
        ...(dstPool ? { parallel: dstPool } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      return { ...rep, durationMs: Date.now() - started };
    } finally {
      await target.end();
    }
  } finally {
    await source.end();
  }
}

/** One line per table, for terminals and reports. */
export function describeReport(rep: ValidationReport): string[] {
  return rep.tables.map((t) => {
    if (t.ok) return `${t.table}: OK (${t.actualRows} rows)`;
    const d = t.firstDifference;
    const range = d ? `keys (${d.fromKey ?? '-∞'}, ${d.toKey}]` : 'unknown range';
    const keys =
      d && d.keys.length ? `; keys ${d.keys.map((k) => `${k.key}:${k.kind}`).join(', ')}` : '';
    return `${t.table}: MISMATCH expected ${t.expectedRows} rows, found ${t.actualRows}; ${t.differingChunks} chunk(s) differ; first at ${range}${keys}`;
  });
}

/** Throws a ValidationFailedError naming the tables and first differing ranges. */
export function assertValid(rep: ValidationReport): void {
  if (rep.ok) return;
  throw new ValidationFailedError(
    `data validation failed:\n  ${describeReport(rep)
      .filter((l) => l.includes('MISMATCH'))
      .join('\n  ')}`,
    {
      hint: 'the target differs from the expected checksums; do not swap connections to it',
      details: { tables: rep.tables },
    },
  );
}
