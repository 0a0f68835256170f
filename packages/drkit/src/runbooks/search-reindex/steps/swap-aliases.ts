import type { Step } from '../../../engine/step.js';
import { planSearchPartial, setSearchPartial } from '../app-search-flag.js';
import type { SearchReindexDeps, SearchReindexState } from '../context.js';

/**
 * Step 8 (destructive): the final alias swap, after the count check. The previous collections
 * are kept (never dropped here): dropping them is a separate, later decision.
 */
export function swapAliases(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'swap-aliases',
    title: 'Point every alias at its new collection (search complete)',
    destructive: true,
    retry: { attempts: 3 },
    plan: ({ state: s }) => [
      ...s.searchSchemas.collections.flatMap((c) =>
        deps.index.planPutAlias(c.name, s.targets?.[c.name] ?? `${c.name}_<stamp>`),
      ),
      ...planSearchPartial(deps, false),
    ],
    async run({ state: s }) {
      for (const c of s.searchSchemas.collections)
        await deps.index.putAlias(c.name, s.targets![c.name]!);
      await setSearchPartial(deps, false);
      return { fullReadyAt: new Date().toISOString() };
    },
  };
}
