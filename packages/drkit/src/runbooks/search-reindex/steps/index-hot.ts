import type { Step } from '../../../engine/step.js';
import { collectionOf, type SearchReindexDeps, type SearchReindexState } from '../context.js';
import { runSlices } from '../slices.js';

/** Step 3 (seed: "pull hot slices first"): the configured top cities/roles, before anything else. */
export function indexHot(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'index-hot',
    title: 'Index the hot slices first',
    retry: { attempts: 3 },
    timeoutMs: 60 * 60_000,
    when: ({ state: s }) => s.searchSchemas.hotSlices.length > 0,
    plan: ({ state: s }) =>
      s.searchSchemas.hotSlices.flatMap((h) =>
        deps.index.planImport(
          s.targets?.[h.collection] ?? `${h.collection}_<stamp>`,
          `SELECT * FROM ${h.source}('${JSON.stringify(h.filters)}') through a cursor`,
        ),
      ),
    async run(ctx) {
      const s = ctx.state;
      const slices = s.searchSchemas.hotSlices.map((h) => ({
        key: `hot:${h.collection}`,
        collection: collectionOf(s, h.collection),
        sql: `SELECT * FROM ${h.source}($1::jsonb)`,
        values: [JSON.stringify(h.filters)],
      }));
      return { slices: await runSlices(deps, ctx, slices) };
    },
  };
}
