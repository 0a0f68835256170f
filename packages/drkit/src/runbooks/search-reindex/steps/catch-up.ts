import type { Step } from '../../../engine/step.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';
import type { SourcedCollection } from '../schemas.js';
import { runSlices, type Slice } from '../slices.js';

/** Rows changed this long before the reindex began are read again (clock skew, open transactions). */
const MARGIN_MS = 5_000;

/**
 * Step 6: the workload kept writing while the backfill read. Re-imports the rows changed since
 * the reindex began (by `updated_at`), then deletes the documents of the rows deleted since
 * (each collection's `deletions` source: ids deleted since then and absent now). Both read one
 * snapshot of the database, so they agree with each other and the count check can be exact.
 * Collections that name their `tables` get a second, short pass under a SHARE lock (writers
 * wait, `catchUpLockMs` says how long): no write can race it, so none is left stale.
 */
/** The upsert slices of rows changed since `since`, then the deletions (after the upserts). */
function slicesOf(collections: readonly SourcedCollection[], key: string, since: Date): Slice[] {
  return [
    ...collections.map((c) => ({
      key: `${key}:${c.name}`,
      collection: c,
      sql: `SELECT * FROM ${c.source}() WHERE updated_at >= $1`,
      values: [since],
    })),
    // after the upserts: a row deleted between two resumed snapshots is still removed
    ...collections.flatMap((c) =>
      c.deletions
        ? [
            {
              key: `${key}-deleted:${c.name}`,
              collection: c,
              sql: `SELECT id FROM ${c.deletions}($1)`,
              values: [since],
              kind: 'delete' as const,
            },
          ]
        : [],
    ),
  ];
}

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
          ...(c.tables?.length
            ? [
                `final pass, one transaction: LOCK TABLE ${c.tables.join(', ')} IN SHARE MODE (writers wait); the same reads since <first pass start − ${MARGIN_MS / 1000} s>, imported before COMMIT`,
              ]
            : [
                `${c.name}: no tables named: no locked final pass (a write racing the catch-up can leave its document stale)`,
              ]),
        ];
      }),
    async run(ctx) {
      const since = new Date(new Date(ctx.state.startedAt!).getTime() - MARGIN_MS);
      const { collections } = ctx.state.searchSchemas;
      const passStart = new Date();
      const first = await runSlices(deps, ctx, slicesOf(collections, 'catch-up', since), {
        snapshot: true,
      });
      // The first pass raced the app's writes: a row committed after its snapshot whose own
      // index write landed before the pass's import of the older row is stale now. A second,
      // short pass under a SHARE lock on the collections' tables (writers wait) re-reads what
      // changed since the first began and imports it before any writer can go on.
      const locked = collections.filter((c) => c.tables?.length);
      let lockHeldMs: number | undefined;
      let results = first;
      if (locked.length > 0) {
        const since2 = new Date(passStart.getTime() - MARGIN_MS);
        const tables = [...new Set(locked.flatMap((c) => c.tables!))];
        ctx.progress(`final pass: LOCK TABLE ${tables.join(', ')} IN SHARE MODE (writers wait)`);
        const t = Date.now();
        results = await runSlices(
          deps,
          { ...ctx, state: { ...ctx.state, slices: first } },
          slicesOf(locked, 'catch-up-final', since2),
          { lockTables: tables },
        );
        lockHeldMs = Date.now() - t;
        ctx.progress(`final pass done: writers held off at most ${lockHeldMs} ms`);
      }
      const sum = (prefix: string, f: (r: (typeof results)[string]) => number) =>
        Object.entries(results)
          .filter(([k]) => k.startsWith(`${prefix}:`))
          .reduce((n, [, r]) => n + f(r), 0);
      return {
        slices: results,
        catchUpRows: sum('catch-up', (r) => r.rows) + sum('catch-up-final', (r) => r.rows),
        catchUpDeleted:
          sum('catch-up-deleted', (r) => r.deleted ?? 0) +
          sum('catch-up-final-deleted', (r) => r.deleted ?? 0),
        ...(lockHeldMs !== undefined ? { catchUpLockMs: lockHeldMs } : {}),
      };
    },
  };
}
