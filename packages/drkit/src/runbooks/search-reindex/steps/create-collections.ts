import type { Step } from '../../../engine/step.js';
import { newCollectionName, type SearchReindexDeps, type SearchReindexState } from '../context.js';

/** Step 2 (seed: "apply schemas"): creates the NEW collections (no-op when they exist). */
export function createCollections(deps: SearchReindexDeps): Step<SearchReindexState> {
  return {
    id: 'create-collections',
    title: 'Apply the schemas into new collections',
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      s.searchSchemas.collections.flatMap((c) =>
        deps.index.planCreateCollection({
          ...c,
          name: s.targets?.[c.name] ?? newCollectionName(c.name, new Date()),
        }),
      ),
    async run({ state: s }) {
      for (const c of s.searchSchemas.collections) {
        await deps.index.createCollection({
          name: s.targets![c.name]!,
          fields: c.fields,
          ...(c.default_sorting_field ? { default_sorting_field: c.default_sorting_field } : {}),
        });
      }
    },
  };
}
