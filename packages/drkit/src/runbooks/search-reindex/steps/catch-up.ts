import type { Step } from '../../../engine/step.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';
import { runSlices } from '../slices.js';

/** Rows changed this long before the reindex began are read again (clock skew, open transactions). */
const MARGIN_MS = 5_000;

/**
 * Step 6: re-imports the rows changed since the reindex began (by `updated_at`): the workload
 * kept writing while the backfill read. Deleted rows are not seen here (the row sources expose
 * no tombstones).
 */
export function catchUp(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'catch-up',
    title: 'Catch up rows changed since the reindex began (updated_at)',
    retry: { attempts: 3 },
    timeoutMs: 60 * 60_000,
    plan: ({ state: s }) =>
      s.searchSchemas.collections.flatMap((c) =>
        deps.index.planImport(
          s.targets?.[c.name] ?? `${c.name}_<stamp>`,
          `SELECT * FROM ${c.source}() WHERE updated_at >= <reindex start − ${MARGIN_MS / 1000} s>`,
        ),
      ),
    async run(ctx) {
      const since = new Date(new Date(ctx.state.startedAt!).getTime() - MARGIN_MS);
      const slices = ctx.state.searchSchemas.collections.map((c) => ({
        key: `catch-up:${c.name}`,
        collection: c,
        sql: `SELECT * FROM ${c.source}() WHERE updated_at >= $1`,
        values: [since],
      }));
      const results = await runSlices(deps, ctx, slices);
      const catchUpRows = Object.entries(results)
        .filter(([k]) => k.startsWith('catch-up:'))
        .reduce((n, [, r]) => n + r.rows, 0);
      return { slices: results, catchUpRows };
    },
  };
}
