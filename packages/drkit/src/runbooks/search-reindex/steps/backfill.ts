import type { Step } from '../../../engine/step.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';
import { runSlices } from '../slices.js';

/** Step 5 (seed: "then backfill full corpus"): every collection's row source, one slice each. */
export function backfill(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'backfill',
    title: 'Backfill the full corpus (one checkpointed slice per collection)',
    retry: { attempts: 3 },
    timeoutMs: 6 * 60 * 60_000,
    plan: ({ state: s }) =>
      s.searchSchemas.collections.flatMap((c) =>
        deps.index.planImport(
          s.targets?.[c.name] ?? `${c.name}_<stamp>`,
          `SELECT * FROM ${c.source}() through a cursor (${s.fetchRows} rows a read)`,
        ),
      ),
    async run(ctx) {
      const slices = ctx.state.searchSchemas.collections.map((c) => ({
        key: `full:${c.name}`,
        collection: c,
        sql: `SELECT * FROM ${c.source}()`,
        values: [],
      }));
      return { slices: await runSlices(deps, ctx, slices) };
    },
  };
}
