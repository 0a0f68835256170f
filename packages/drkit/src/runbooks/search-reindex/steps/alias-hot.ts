import type { Step } from '../../../engine/step.js';
import { planSearchPartial, setSearchPartial } from '../app-search-flag.js';
import { sleep } from '../../../util/net.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';

/**
 * Step 4 (destructive): points the aliases of the hot collections at the new collections as
 * soon as their hot slice is in: search is back, partially (the report says so), while the
 * backfill runs. The app's config says `search.partial` (when it has one) `partialLeadMs` before
 * the alias goes live, so the app never serves a hot-only answer unmarked. The old collections stay.
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
      ...planSearchPartial(deps, true),
      `wait ${s.partialLeadMs ?? 0} ms (the app re-reads its config) when the app was told`,
      ...names(s).flatMap((n) => deps.index.planPutAlias(n, s.targets?.[n] ?? `${n}_<stamp>`)),
    ],
    async run({ state: s, progress }) {
      // "partial" first, seen by the app before any hot-only answer can be served
      const appToldPartial = await setSearchPartial(deps, true);
      if (appToldPartial && s.partialLeadMs) {
        progress(`app told search is partial; ${s.partialLeadMs} ms for it to re-read its config`);
        await sleep(s.partialLeadMs);
      }
      for (const n of names(s)) await deps.index.putAlias(n, s.targets![n]!);
      return { hotReadyAt: new Date().toISOString(), appToldPartial };
    },
  };
}
