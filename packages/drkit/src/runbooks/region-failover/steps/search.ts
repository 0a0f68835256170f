import { DrError } from '../../../engine/errors.js';
import { execute } from '../../../engine/executor.js';
import type { Step } from '../../../engine/step.js';
import { createSearchReindexRunbook } from '../../search-reindex/index.js';
import { SearchReindexParamsSchema } from '../../search-reindex/params.js';
import { loadSearchSchemas } from '../../search-reindex/schemas.js';
import type { SearchReindexState } from '../../search-reindex/context.js';
import type { RegionDeps, RegionState } from '../context.js';

/**
 * The seeds' "Typesense in B (fresh cluster): run reindex": the app config's `search` section
 * is pointed at the target region's cluster, then RB-N-04 rebuilds it from the new primary
 * (hot slices first: the app says `partial` until the full swap), as a run of its own with
 * its own journal. Skipped when the world has no search. After the post-checks, so the
 * database's recovery is judged (and timed) without it. Run again after a crash, it starts a
 * new reindex into new collections (the alias moves only after the count check).
 */
export function reindexSearch(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'reindex-search',
    title: 'Search: RB-N-04 reindex of the target region’s search cluster from the new primary',
    timeoutMs: 4 * 60 * 60_000, // the seeds' window for a full reindex
    plan: async ({ state: s }) => {
      const rs = await deps.searchOf?.(s.toRegion);
      if (!rs) return [`no search cluster in region ${s.toRegion}: nothing to reindex (skipped)`];
      const sch = await loadSearchSchemas(rs.schemas);
      return [
        `${deps.secrets.kind}: set search=${JSON.stringify({ ...rs.appSearch, apiKey: '***' })} in ${s.appConfigSecret}`,
        `RB-N-04 (rb-n-04, journal in ${rs.journalDir}) against ${rs.index.endpoint}, reading the app secret's endpoint (the new primary of ${s.toCluster} once update-db-secret ran):`,
        `  new collections ${sch.collections.map((c) => `${c.name}_<stamp>`).join(', ')} from ${rs.schemas}`,
        ...sch.hotSlices.map(
          (h) =>
            `  hot slice ${h.collection}: ${h.source}(${JSON.stringify(h.filters)}), then alias ${h.collection} → it (app told partial)`,
        ),
        `  backfill ${sch.collections.map((c) => `${c.source}()`).join(', ')}; catch-up by updated_at; count check; swap every alias`,
      ];
    },
    async run(ctx) {
      const s = ctx.state;
      const rs = await deps.searchOf?.(s.toRegion);
      if (!rs) {
        ctx.progress(`no search cluster in region ${s.toRegion}: skipped`);
        return {
          searchReindex: { outcome: 'skipped', skipped: `no search cluster in ${s.toRegion}` },
        };
      }
      // the app searches the target region's cluster from now on (404 until the hot alias)
      const cur = await deps.secrets.get(s.appConfigSecret);
      await deps.secrets.put(s.appConfigSecret, { ...cur, search: { ...rs.appSearch } });
      ctx.progress(`app config: search → ${rs.index.endpoint}`);
      const params = SearchReindexParamsSchema.parse({
        // no db params: RB-N-04 reads the app secret's endpoint, the new primary since
        // update-db-secret (with the app's database name)
        schemas: rs.schemas,
        workDir: rs.workDir,
      });
      const state: SearchReindexState = {
        ...params,
        schemaFile: rs.schemas,
        searchSchemas: await loadSearchSchemas(rs.schemas),
        workDir: rs.workDir,
      };
      const res = await execute(
        createSearchReindexRunbook({
          index: rs.index,
          sql: deps.connect,
          appSecret: {
            secrets: deps.secrets,
            format: deps.appSecretFormat,
            defaultName: s.appConfigSecret,
          },
        }),
        state,
        {
          journalDir: rs.journalDir,
          yes: true,
          signal: ctx.signal,
          onEvent: (e) => {
            if (e.type === 'step-end') ctx.progress(`rb-n-04 ${e.step}: ${e.outcome}`);
          },
        },
      );
      const outcome = res.summary?.outcome ?? 'unknown';
      if (outcome !== 'succeeded')
        throw new DrError(
          'EXTERNAL',
          `RB-N-04 on ${rs.index.endpoint} ${outcome} (execution ${res.executionId})`,
          { hint: `see its journal ${res.journalFile ?? rs.journalDir}` },
        );
      return {
        searchReindex: {
          executionId: res.executionId,
          endpoint: rs.index.endpoint,
          outcome,
          ...(res.state.hotReadyAt ? { hotReadyAt: res.state.hotReadyAt } : {}),
          ...(res.state.fullReadyAt ? { fullReadyAt: res.state.fullReadyAt } : {}),
          deadLetters: res.state.deadLetters ?? 0,
        },
      };
    },
  };
}
