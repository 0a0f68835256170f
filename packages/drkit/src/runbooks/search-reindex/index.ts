import path from 'node:path';
import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import { notifyStep } from '../shared/steps/notify.js';
import type { SearchReindexDeps, SearchReindexState } from './context.js';
import { SearchReindexParamsSchema } from './params.js';
import { loadSearchSchemas } from './schemas.js';
import { aliasHot } from './steps/alias-hot.js';
import { backfill } from './steps/backfill.js';
import { catchUp } from './steps/catch-up.js';
import { countCheck } from './steps/count-check.js';
import { createCollections } from './steps/create-collections.js';
import { indexHot } from './steps/index-hot.js';
import { preflight } from './steps/preflight.js';
import { swapAliases } from './steps/swap-aliases.js';

export type { SearchReindexDeps, SearchReindexState, SliceResult } from './context.js';
export { SearchReindexParamsSchema, type SearchReindexParams } from './params.js';
export { parseSearchSchemas, loadSearchSchemas, type SearchSchemas } from './schemas.js';

/** RB-N-04's id in journals and on the command line. */
export const SEARCH_REINDEX_RUNBOOK_ID = 'rb-n-04';
const TITLE = 'RB-N-04 Search index loss → reindex from PostgreSQL (hot slices first)';

/**
 * RB-N-04 — search cluster lost or corrupt: apply the schemas into new collections, index the
 * hot slices and point their aliases (search back, partially), backfill everything, catch up
 * rows changed meanwhile, check counts, swap every alias, notify. Each slice is checkpointed:
 * `resume` never imports a finished slice again.
 */
export function createSearchReindexRunbook(deps: SearchReindexDeps): Runbook<SearchReindexState> {
  return {
    id: SEARCH_REINDEX_RUNBOOK_ID,
    title: TITLE,
    lockKey: () => `search-index:${deps.index.endpoint}`,
    steps: [
      preflight(deps),
      createCollections(deps),
      indexHot(deps),
      aliasHot(deps),
      backfill(deps),
      catchUp(deps),
      countCheck(deps),
      swapAliases(deps),
      notifyStep<SearchReindexState>(deps.notifier, {
        message: ({ state: s }) => ({
          subject: 'RB-N-04 search reindex complete',
          body: s.counts
            ? `${Object.entries(s.counts)
                .map(([k, n]) => `${k}: ${n.index} indexed, ${n.deadLettered} dead-lettered`)
                .join('; ')}; hot ready ${s.hotReadyAt ?? '-'}, full ${s.fullReadyAt ?? '-'}`
            : 'search reindexed',
          severity: (s.deadLetters ?? 0) > 0 ? 'warning' : 'info',
        }),
      }),
    ],
  };
}

/** RB-N-04 as `drkit runbook run rb-n-04` (and the search-loss drill) runs it. */
export const searchReindex = defineRunbook({
  id: SEARCH_REINDEX_RUNBOOK_ID,
  aliases: ['search-reindex'],
  title: TITLE,
  params: SearchReindexParamsSchema,
  paramNote:
    'schemas defaults to search.collectionsFile; the database to the app secret’s endpoint unless dbHost/dbPort/dbName/dbUser are given',
  needs: ['searchIndex', 'sql'],
  uses: ['appSecret', 'notifier'],
  async normalize(raw, { config, hint }): Promise<SearchReindexState> {
    const p = parseParams(SearchReindexParamsSchema, raw, hint);
    const schemaFile = p.schemas ?? config.search.collectionsFile;
    // a malformed file or hot slice is refused before anything runs
    const searchSchemas = await loadSearchSchemas(schemaFile);
    return {
      ...p,
      schemaFile,
      searchSchemas,
      workDir: p.workDir ?? path.join(config.stateDir, 'search-reindex'),
      partialLeadMs: p.partialLeadMs ?? config.search.appConfigRefreshMs,
    };
  },
  create: (ports) =>
    createSearchReindexRunbook({
      index: ports.searchIndex,
      sql: ports.sql,
      ...(ports.appSecret ? { appSecret: ports.appSecret } : {}),
      ...(ports.notifier ? { notifier: ports.notifier } : {}),
    }),
});
