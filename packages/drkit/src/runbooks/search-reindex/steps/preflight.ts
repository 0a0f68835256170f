import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  isDrkitCollection,
  newCollectionName,
  sourceEndpoint,
  type SearchReindexDeps,
  type SearchReindexState,
} from '../context.js';

/**
 * Step 1 (seed: "create new cluster"): reaches the search cluster (unreachable or a wrong key
 * stops here, before anything changes), reads where each alias points and refuses an alias
 * on a collection drkit did not create (unless force=true), counts the rows to index, and
 * names the new collections.
 */
export function preflight(deps: SearchReindexDeps): Step<SearchReindexState> {
  const inspect = async (s: SearchReindexState) => {
    await deps.index.health();
    const previous: Record<string, string | null> = {};
    const existing = new Set((await deps.index.listCollections()).map((c) => c.name));
    for (const c of s.searchSchemas.collections) {
      const target = (await deps.index.getAlias(c.name)) ?? null;
      previous[c.name] = target;
      const foreign =
        (target !== null && !isDrkitCollection(c.name, target)) ||
        (target === null && existing.has(c.name));
      if (foreign && !s.force) {
        throw new PreconditionError(
          target !== null
            ? `alias ${c.name} points at ${target}, a collection drkit did not create: not moved`
            : `a collection named ${c.name} exists where drkit puts an alias: not shadowed`,
          { hint: 'check what serves search now; --param force=true moves the alias anyway' },
        );
      }
    }
    return previous;
  };
  const rowCounts = async (s: SearchReindexState) => {
    const client = await deps.sql(await sourceEndpoint(deps, s));
    try {
      const out: Record<string, number> = {};
      for (const c of s.searchSchemas.collections) {
        const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${c.source}()`);
        out[c.name] = Number(r.rows[0]!.n);
      }
      for (const h of s.searchSchemas.hotSlices) {
        const r = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${h.source}($1::jsonb)`,
          [JSON.stringify(h.filters)],
        );
        out[`hot:${h.collection}`] = Number(r.rows[0]!.n);
      }
      return out;
    } finally {
      await client.end();
    }
  };
  return {
    id: 'preflight',
    title: 'Reach the search cluster, check aliases, count rows, name the new collections',
    async plan({ state: s }) {
      const previous = await inspect(s);
      const counts = await rowCounts(s);
      const at = new Date();
      return [
        `search cluster ${deps.index.endpoint}: healthy, key accepted`,
        ...s.searchSchemas.collections.map(
          (c) =>
            `${c.name}: ${counts[c.name]} rows from ${c.source}() → new collection ${newCollectionName(c.name, at)}; alias ${c.name}: ${previous[c.name] ?? '(none)'} → the new collection`,
        ),
        ...s.searchSchemas.hotSlices.map(
          (h) =>
            `hot slice of ${h.collection}: ${counts[`hot:${h.collection}`]} rows from ${h.source}(${JSON.stringify(h.filters)}), indexed first`,
        ),
      ];
    },
    async run({ state: s }) {
      const previousAliases = await inspect(s);
      const startedAt = new Date();
      const targets: Record<string, string> = {};
      for (const c of s.searchSchemas.collections)
        targets[c.name] = newCollectionName(c.name, startedAt);
      return { previousAliases, targets, startedAt: startedAt.toISOString() };
    },
  };
}
