import type { Step } from '../../../engine/step.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';
import { runSlices, type Slice } from '../slices.js';

/** Rows changed this long before the reindex began are read again (clock skew, open transactions). */
const MARGIN_MS = 5_000;

/**
 * Step 6: the workload kept writing while the backfill read. Re-imports the rows changed since
 * the reindex began (by `updated_at`), then deletes the documents of the rows deleted since
 * (each collection's `deletions` source: ids deleted since then and absent now). Both read one
 * snapshot of the database, so they agree with each other and the count check can be exact.
 */
export function catchUp(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'catch-up',
    title: 'Catch up rows changed (updated_at) and deleted since the reindex began',
    retry: { attempts: 3 },
    timeoutMs: 60 * 60_000,
    plan: ({ state: s }) =>
      s.searchSchemas.collections.flatMap((c) => {
        const target = s.targets?.[c.name] ?? `${c.name}_<stamp>`;
        const since = `<reindex start − ${MARGIN_MS / 1000} s>`;
        return [
          ...deps.index.planImport(
            target,
            `SELECT * FROM ${c.source}() WHERE updated_at >= ${since}`,
          ),
          ...(c.deletions
            ? deps.index.planDelete(target, `SELECT id FROM ${c.deletions}(${since})`)
            : [
                `${c.name}: no deletions source: documents of rows deleted during the reindex stay (the count check then fails)`,
              ]),
        ];
      }),
    async run(ctx) {
      const since = new Date(new Date(ctx.state.startedAt!).getTime() - MARGIN_MS);
      const { collections } = ctx.state.searchSchemas;
      const slices: Slice[] = [
        ...collections.map((c) => ({
          key: `catch-up:${c.name}`,
          collection: c,
          sql: `SELECT * FROM ${c.source}() WHERE updated_at >= $1`,
          values: [since],
        })),
        // after the upserts: a row deleted between two resumed snapshots is still removed
        ...collections.flatMap((c) =>
          c.deletions
            ? [
                {
                  key: `catch-up-deleted:${c.name}`,
                  collection: c,
                  sql: `SELECT id FROM ${c.deletions}($1)`,
                  values: [since],
                  kind: 'delete' as const,
                },
              ]
            : [],
        ),
      ];
      const results = await runSlices(deps, ctx, slices, { snapshot: true });
      const sum = (prefix: string, f: (r: (typeof results)[string]) => number) =>
        Object.entries(results)
          .filter(([k]) => k.startsWith(prefix))
          .reduce((n, [, r]) => n + f(r), 0);
      return {
        slices: results,
        catchUpRows: sum('catch-up:', (r) => r.rows),
        catchUpDeleted: sum('catch-up-deleted:', (r) => r.deleted ?? 0),
      };
    },
  };
}
