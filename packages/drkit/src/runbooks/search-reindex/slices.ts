import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import path from 'node:path';
import type { StepContext } from '../../engine/step.js';
import {
  deadLetter,
  sourceEndpoint,
  streamDocuments,
  type SearchReindexDeps,
  type SearchReindexState,
  type SliceResult,
} from './context.js';
import type { SourcedCollection } from './schemas.js';

/** One unit of work journaled on its own: a row source into a collection. */
export interface Slice {
  /** Checkpoint key, e.g. `hot:people`, `full:studios`. */
  readonly key: string;
  readonly collection: SourcedCollection;
  readonly sql: string;
  readonly values: unknown[];
  /** `upsert` (default): rows become documents; `delete`: the rows' ids are deleted. */
  readonly kind?: 'upsert' | 'delete';
}

/** Options of {@link runSlices}. */
export interface RunSlicesOptions {
  /**
   * Read every slice in one REPEATABLE READ READ ONLY transaction: the slices see one snapshot
   * of the database (the catch-up's changed and deleted rows agree with each other).
   */
  readonly snapshot?: boolean;
  /**
   * Tables locked IN SHARE MODE before the snapshot is taken (implies `snapshot`): writers in
   * flight are waited for, new ones wait until the slices are imported and the lock released.
   */
  readonly lockTables?: readonly string[];
  /** How long to wait for the lock. @default 10 s */
  readonly lockTimeoutMs?: number;
}

const checkpointFile = (s: SearchReindexState, executionId: string) =>
  path.join(s.workDir, `${executionId}.slices.jsonl`);

/** The slices an execution has finished, from its checkpoint file. */
export function doneSlices(s: SearchReindexState, executionId: string): Map<string, SliceResult> {
  const file = checkpointFile(s, executionId);
  const out = new Map<string, SliceResult>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { key: string; result: SliceResult };
      out.set(r.key, r.result);
    } catch {
      // a torn last line (killed mid-write): that slice is simply done again
    }
  }
  return out;
}

function checkpoint(s: SearchReindexState, executionId: string, key: string, result: SliceResult) {
  mkdirSync(s.workDir, { recursive: true });
  const file = checkpointFile(s, executionId);
  appendFileSync(file, `${JSON.stringify({ key, result })}\n`);
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Imports each slice not yet checkpointed: rows streamed from PostgreSQL through a server-side
 * cursor into the target collection, failures to the dead-letter file, then a checkpoint (fsync)
 * so a resumed run never imports a finished slice again.
 */
export async function runSlices(
  deps: SearchReindexDeps,
  ctx: StepContext<SearchReindexState>,
  slices: readonly Slice[],
  opts: RunSlicesOptions = {},
): Promise<Record<string, SliceResult>> {
  const s = ctx.state;
  const done = doneSlices(s, ctx.executionId);
  const results: Record<string, SliceResult> = { ...(s.slices ?? {}) };
  const pending = slices.filter((sl) => {
    const d = done.get(sl.key);
    if (d) results[sl.key] = d;
    return !d;
  });
  if (pending.length === 0) return results;
  const client = await deps.sql(await sourceEndpoint(deps, s));
  try {
    const lock = opts.lockTables?.length ? opts.lockTables : undefined;
    if (lock) {
      // LOCK before any SELECT: the snapshot is taken after the writers in flight committed
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query(`SET LOCAL lock_timeout = ${Math.round(opts.lockTimeoutMs ?? 10_000)}`);
      await client.query(`LOCK TABLE ${lock.join(', ')} IN SHARE MODE`);
    } else if (opts.snapshot) await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const sl of pending) {
      const started = Date.now();
      const count = { rows: 0 };
      const target = s.targets![sl.collection.name]!;
      if (sl.kind === 'delete') {
        const ids = streamDocuments(client, sl.collection, sl.sql, sl.values, s.fetchRows, count);
        const del = await deps.index.deleteDocuments(
          target,
          (async function* () {
            for await (const d of ids) yield d.id;
          })(),
          { signal: ctx.signal },
        );
        const result: SliceResult = {
          collection: target,
          rows: count.rows,
          imported: 0,
          failed: 0,
          deleted: del.deleted,
          batches: 0,
          backoffs: del.backoffs,
          ms: Date.now() - started,
        };
        checkpoint(s, ctx.executionId, sl.key, result);
        results[sl.key] = result;
        ctx.progress(
          `${sl.key}: ${count.rows} deleted rows, ${del.deleted} documents deleted (${del.absent} were absent)`,
        );
        continue;
      }
      const sum = await deps.index.importDocuments(
        target,
        streamDocuments(client, sl.collection, sl.sql, sl.values, s.fetchRows, count),
        {
          maxBatchBytes: s.maxBatchBytes,
          signal: ctx.signal,
          onBatch: () => ctx.progress(`${sl.key}: ${count.rows} rows read`),
        },
      );
      deadLetter(s, ctx.executionId, sl.key, target, sum.failed);
      const result: SliceResult = {
        collection: target,
        rows: count.rows,
        imported: sum.imported,
        failed: sum.failed.length,
        batches: sum.batches,
        backoffs: sum.backoffs,
        ms: Date.now() - started,
      };
      checkpoint(s, ctx.executionId, sl.key, result);
      results[sl.key] = result;
      ctx.progress(`${sl.key}: ${sum.imported} imported, ${sum.failed.length} dead-lettered`);
    }
    if (opts.snapshot || lock) await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return results;
}
