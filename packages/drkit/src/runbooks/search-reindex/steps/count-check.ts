import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  collectionOf,
  sourceEndpoint,
  type SearchReindexDeps,
  type SearchReindexState,
} from '../context.js';

/** Distinct dead-lettered ids per collection of an execution. */
export function deadLetteredIds(
  s: SearchReindexState,
  executionId: string,
): Map<string, Set<string>> {
  const file = path.join(s.workDir, `${executionId}.deadletter.jsonl`);
  const out = new Map<string, Set<string>>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { collection: string; id?: string };
    const set = out.get(r.collection) ?? new Set<string>();
    set.add(r.id ?? `(no id) ${line.length}`);
    out.set(r.collection, set);
  }
  return out;
}

/** Above this many dead-lettered ids in a collection, each is counted without being looked up. */
const MAX_LOOKED_UP = 10_000;

/** Up to this many rows, a recount from the export holds the ids (distinct count, extras named). */
const MAX_IDS_HELD = 2_000_000;

/**
 * Step 7: database rows vs collection `num_documents` plus the rows whose documents the server
 * refused and are still missing: a dead-lettered id whose row was deleted since, or whose
 * document a later slice (the catch-up) imported, is not counted. Exact: any difference fails
 * the run before the final alias swap. When `num_documents` disagrees, the documents are counted
 * from the export (streamed) before anything is judged.
 */
export function countCheck(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'count-check',
    title: 'Count check: database rows = indexed documents + dead-lettered',
    plan: ({ state: s }) =>
      s.searchSchemas.collections.map(
        (c) =>
          `SELECT count(*) FROM ${c.source}() = num_documents of ${s.targets?.[c.name] ?? `${c.name}_<stamp>`} + dead-lettered ids`,
      ),
    async run({ state: s, executionId, progress }) {
      const dead = deadLetteredIds(s, executionId);
      const counts: Record<
        string,
        {
          db: number;
          index: number;
          deadLettered: number;
          numDocuments?: number;
          extraIds?: string[];
        }
      > = {};
      const extra: Record<string, string[]> = {};
      const client = await deps.sql(await sourceEndpoint(deps, s));
      try {
        for (const c of s.searchSchemas.collections) {
          const target = s.targets![c.name]!;
          const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${c.source}()`);
          const ids = dead.get(target) ?? new Set<string>();
          let deadLettered = ids.size;
          if (ids.size > 0 && ids.size <= MAX_LOOKED_UP) {
            const rows = await client.query<{ id: string }>(
              `SELECT id FROM ${c.source}() WHERE id = ANY($1::text[])`,
              [[...ids]],
            );
            deadLettered = [...ids].filter((id) => id.startsWith('(no id)')).length;
            for (const { id } of rows.rows)
              if (!(await deps.index.getDocument(target, id))) deadLettered++;
          }
          const db = Number(r.rows[0]!.n);
          const numDocuments = await deps.index.count(target);
          let index = numDocuments;
          if (db !== index + deadLettered) {
            // num_documents is the server's counter, not its documents (a 100k drill once read
            // 100,002 for 100,000 rows, cause not pinned down): recount what a search can
            // return, from the export, before judging
            const seen = new Set<string>();
            let lines = 0;
            for await (const d of deps.index.exportDocuments(target)) {
              lines++;
              if (db <= MAX_IDS_HELD) seen.add(String(d.id));
            }
            index = db <= MAX_IDS_HELD ? seen.size : lines;
            if (index !== numDocuments || lines !== index)
              progress(
                `${c.name}: num_documents says ${numDocuments}, the export holds ${lines} documents${lines !== index ? ` (${index} distinct ids)` : ''}: counted from the export`,
              );
            if (index > db && seen.size > 0) {
              // name the documents without a row: what to look at first
              const r2 = await client.query<{ id: string }>(
                `SELECT x AS id FROM unnest($1::text[]) x EXCEPT SELECT id::text FROM ${c.source}() LIMIT 20`,
                [[...seen]],
              );
              extra[c.name] = r2.rows.map((x) => x.id);
            }
          }
          counts[c.name] = {
            db,
            index,
            deadLettered,
            ...(index !== numDocuments ? { numDocuments } : {}),
            ...(extra[c.name] ? { extraIds: extra[c.name] } : {}),
          };
        }
      } finally {
        await client.end();
      }
      const bad = Object.entries(counts).filter(([, n]) => n.db !== n.index + n.deadLettered);
      if (bad.length > 0) {
        throw new ValidationFailedError(
          `count check failed: ${bad.map(([k, n]) => `${k}: ${n.db} rows, ${n.index} indexed + ${n.deadLettered} dead-lettered${n.extraIds?.length ? ` (documents without a row: ${n.extraIds.slice(0, 5).join(', ')})` : ''}`).join('; ')}`,
          {
            hint: bad.some(
              ([k, n]) => n.index + n.deadLettered > n.db && !collectionOf(s, k).deletions,
            )
              ? `the aliases were not swapped; more documents than rows: rows were deleted during the reindex and ${bad.map(([k]) => k).join(', ')} declares no deletions source in ${s.schemaFile}`
              : 'the aliases were not swapped; inspect the dead-letter file (or rows changed after the catch-up), then resume',
            details: { counts },
          },
        );
      }
      const deadLetters = [...dead.values()].reduce((n, x) => n + x.size, 0);
      return {
        counts,
        deadLetters,
        deadLetterFile: path.join(s.workDir, `${executionId}.deadletter.jsonl`),
      };
    },
  };
}
