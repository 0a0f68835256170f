import pg from 'pg';
import { ValidationFailedError } from '../engine/errors.js';
import {
  APP_TABLES,
  checksumTable,
  prepareSession,
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
 * Takes checksums of `tables` inside one REPEATABLE READ transaction, so every table is seen
 * at the same instant even while writes go on.
 */
export async function snapshotChecksums(
  client: pg.ClientBase,
  tables: ReadonlyArray<TableSpec> = APP_TABLES,
  opts: { chunkRows?: number; onProgress?: (msg: string) => void } = {},
): Promise<ChecksumSnapshot> {
  await prepareSession(client);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const t = await client.query<{ now: Date }>('SELECT now() AS now');
    const out: TableChecksum[] = [];
    for (const spec of tables) {
      const cs = await checksumTable(client, spec, {
        ...(opts.chunkRows ? { chunkRows: opts.chunkRows } : {}),
      });
      opts.onProgress?.(`${spec.table}: ${cs.rowCount} rows in ${cs.chunks.length} chunks`);
      out.push(cs);
    }
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
  } = {},
): Promise<ValidationReport> {
  const started = Date.now();
  await prepareSession(target);
  if (opts.expectedClient) await prepareSession(opts.expectedClient);
  const tables: TableComparison[] = [];
  for (const t of snapshot.tables) {
    const cmp = await compareTable(t, target, {
      ...(opts.boundedByExpected ? { boundedByExpected: true } : {}),
      ...(opts.expectedClient ? { expectedClient: opts.expectedClient } : {}),
    });
    opts.onProgress?.(
      `${t.table}: ${cmp.ok ? 'equal' : 'DIFFERS'} (${cmp.actualRows}/${cmp.expectedRows} rows)`,
    );
    tables.push(cmp);
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
  opts: { chunkRows?: number; onProgress?: (msg: string) => void } = {},
): Promise<ValidationReport> {
  const source = new pg.Client({ connectionString: sourceUrl });
  const target = new pg.Client({ connectionString: targetUrl });
  await source.connect();
  try {
    await target.connect();
    try {
      const started = Date.now();
      const snap = await snapshotChecksums(source, tables, opts);
      const rep = await verifySnapshot(snap, target, {
        expectedClient: source,
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
