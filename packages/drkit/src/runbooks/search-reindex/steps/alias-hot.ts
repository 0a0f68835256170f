import type { Step } from '../../../engine/step.js';
import { planSearchPartial, setSearchPartial } from '../app-search-flag.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';

/**
 * Step 4 (destructive): points the aliases of the hot collections at the new collections as
 * soon as their hot slice is in: search is back, partially (the report says so), while the
 * backfill runs; the app's config says `search.partial` (when it has one). The old collections stay.
 */
export function aliasHot(deps: SearchReindexDeps): Step<SearchReindexState> {
  const names = (s: SearchReindexState) => [
    ...new Set(s.searchSchemas.hotSlices.map((h) => h.collection)),
  ];
  return {
    id: 'alias-hot',
    title: 'Point the hot collections’ aliases at the new collections (search back, partial)',
    destructive: true,
    retry: { attempts: 3 },
    when: ({ state: s }) => s.searchSchemas.hotSlices.length > 0,
    plan: ({ state: s }) => [
      ...names(s).flatMap((n) => deps.index.planPutAlias(n, s.targets?.[n] ?? `${n}_<stamp>`)),
      ...planSearchPartial(deps, true),
    ],
    async run({ state: s }) {
      for (const n of names(s)) await deps.index.putAlias(n, s.targets![n]!);
      const appToldPartial = await setSearchPartial(deps, true);
      return { hotReadyAt: new Date().toISOString(), appToldPartial };
    },
  };
}
