import { livePidFromFile } from '../util/proc.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { TypesenseSearchIndex } from '../adapters/typesense/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { DependencyMissingError, PreconditionError } from '../engine/errors.js';
import { execute } from '../engine/executor.js';
import { createSearchReindexRunbook, searchReindex } from '../runbooks/search-reindex/index.js';
import { freePort, sleep } from '../util/net.js';
import { readAppConfig, writeAppConfig, type AppSearchConfig } from './app-config.js';
import { APP_DATABASE, REGION_A_PRIMARY } from './lab.js';
import { connectEndpoint, type LabProvider } from './provider.js';
import { SEARCH_SCHEMA_SQL, searchSeedSql } from './search-schema.js';
import { typesenseBin } from './typesense-server.js';

/** One region's Typesense server as `lab up --search` made it. */
export interface LabSearchServer {
  readonly region: string;
  readonly port: number;
  readonly peeringPort: number;
  /** The admin key (a loopback lab's own; the app config holds it too). */
  readonly apiKey: string;
  readonly dataDir: string;
}

/** `<labDir>/search.json`: what `lab up --search` built. */
export interface LabSearchState {
  /** The alias the app searches. */
  readonly alias: string;
  readonly people: number;
  /** The collections file the initial index used. */
  readonly schemas: string;
  /** Region A's cluster serves the app; region B's is fresh, for RB-N-01 to reindex. */
  readonly servers: readonly LabSearchServer[];
  readonly indexedAt: string;
}

const searchFile = (p: LabProvider) => path.join(p.paths.labDir, 'search.json');
const runDir = (p: LabProvider) => path.join(p.paths.labDir, 'search');

export function readLabSearch(p: LabProvider): LabSearchState | undefined {
  const f = searchFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LabSearchState) : undefined;
}

/** `http://127.0.0.1:<port>` of a lab search server. */
export const searchUrl = (s: LabSearchServer): string => `http://127.0.0.1:${s.port}`;

/** What the app config's `search` section says for a region's server. */
export function appSearchOf(s: LabSearchServer, alias: string): AppSearchConfig {
  return { url: searchUrl(s), apiKey: s.apiKey, alias };
}

/** The pid of a region's server when it runs. */
export function searchPid(p: LabProvider, region: string): number | undefined {
  return livePidFromFile(path.join(runDir(p), `typesense-${region}.pid`));
}

/**
 * Starts a region's Typesense as a detached process (it outlives `drkit lab up`), its log and
 * pid file under `<labDir>/search/`, and waits for `/health` to say `ok:true`.
 */
async function startServer(p: LabProvider, s: LabSearchServer): Promise<void> {
  if (searchPid(p, s.region) !== undefined) return;
  const bin = typesenseBin();
  if (!existsSync(bin))
    throw new DependencyMissingError(`the Typesense server is not installed (looked for ${bin})`, {
      hint: 'run scripts/bootstrap (it links .tools/bin/typesense-server), or set DRKIT_TYPESENSE_BIN',
    });
  mkdirSync(runDir(p), { recursive: true });
  mkdirSync(s.dataDir, { recursive: true });
  const logFile = path.join(runDir(p), `typesense-${s.region}.log`);
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(
      bin,
      [
        `--data-dir=${s.dataDir}`,
        `--api-key=${s.apiKey}`,
        '--listen-address=127.0.0.1',
        `--api-port=${s.port}`,
        '--peering-address=127.0.0.1',
        `--peering-port=${s.peeringPort}`,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    writeFileSync(path.join(runDir(p), `typesense-${s.region}.pid`), String(child.pid));
  } finally {
    closeSync(log);
  }
  for (let i = 0; i < 600; i++) {
    if (searchPid(p, s.region) === undefined)
      throw new PreconditionError(`Typesense of region ${s.region} exited while starting`, {
        hint: `see ${logFile}`,
      });
    const ok = await fetch(`${searchUrl(s)}/health`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => r.ok && ((await r.json()) as { ok?: boolean }).ok === true)
      .catch(() => false);
    if (ok) return;
    await sleep(100);
  }
  throw new PreconditionError(`Typesense of region ${s.region} not healthy after 60 s`, {
    hint: `see ${logFile}`,
  });
}

/** Stops a region's server (SIGTERM, SIGKILL after 5 s); its data stays. */
export async function stopSearchServer(p: LabProvider, region: string): Promise<void> {
  const pid = searchPid(p, region);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 250 && searchPid(p, region) !== undefined; i++) await sleep(20);
  if (searchPid(p, region) !== undefined) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && searchPid(p, region) !== undefined; i++) await sleep(20);
}

/** Stops every search server of the lab (`lab down`). */
export async function stopSearchServers(p: LabProvider): Promise<void> {
  for (const s of readLabSearch(p)?.servers ?? []) await stopSearchServer(p, s.region);
}

/**
 * Fault injection: SIGKILLs a region's server and deletes its data directory (total loss).
 * @returns the pid killed, if it ran
 */
export async function destroySearchServer(
  p: LabProvider,
  region: string,
): Promise<number | undefined> {
  const s = readLabSearch(p)?.servers.find((x) => x.region === region);
  const pid = searchPid(p, region);
  if (pid !== undefined) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 250 && searchPid(p, region) !== undefined; i++) await sleep(20);
  }
  if (s) rmSync(s.dataDir, { recursive: true, force: true });
  return pid;
}

/**
 * Replaces a region's server by a fresh one (new data dir, new ports, new key) — what "create
 * the search cluster" means in the lab — and records it. The app config is not changed.
 */
export async function replaceSearchServer(
  p: LabProvider,
  region: string,
): Promise<LabSearchServer> {
  const st = readLabSearch(p);
  if (!st) throw new PreconditionError('the lab has no search (run `drkit lab up --search`)');
  const old = st.servers.find((s) => s.region === region);
  if (old && searchPid(p, region) !== undefined) await stopSearchServer(p, region);
  const fresh = await newServer(p, region, `${region}-${Date.now().toString(36)}`);
  await startServer(p, fresh);
  writeSearchState(p, {
    ...st,
    servers: [...st.servers.filter((s) => s.region !== region), fresh],
  });
  return fresh;
}

async function newServer(
  p: LabProvider,
  region: string,
  dirName = region,
): Promise<LabSearchServer> {
  const port = await freePort();
  let peeringPort = await freePort();
  while (peeringPort === port) peeringPort = await freePort();
  return {
    region,
    port,
    peeringPort,
    apiKey: randomBytes(12).toString('hex'),
    dataDir: path.join(p.paths.labDir, `typesense-${dirName}`),
  };
}

function writeSearchState(p: LabProvider, s: LabSearchState): void {
  mkdirSync(p.paths.labDir, { recursive: true });
  writeFileSync(searchFile(p), JSON.stringify(s, null, 2) + '\n');
}

/** Options of {@link labUpSearch}. */
export interface LabUpSearchOptions {
  /** Resolves the config's relative paths (the collections file). */
  readonly baseDir: string;
  /** People seeded (studios a tenth, work a half). @default 20000 */
  readonly people?: number;
  readonly progress?: (m: string) => void;
}

/**
 * `drkit lab up --search`, after the lab is up: the search schema and seed in region A's app
 * database (region B's standby replicates them), a Typesense server per region on free ports
 * with its data under the lab dir, an initial index of region A's server by RB-N-04 (journaled
 * like any run), and the app config's `search` section pointing at region A's alias. Region
 * B's server stays empty: a fresh cluster RB-N-01 reindexes after a failover. A lab that has
 * search already gets its servers started again.
 */
export async function labUpSearch(
  p: LabProvider,
  config: DrkitConfig,
  o: LabUpSearchOptions,
): Promise<LabSearchState> {
  const say = o.progress ?? (() => undefined);
  const existing = readLabSearch(p);
  if (existing) {
    for (const s of existing.servers) {
      if (searchPid(p, s.region) === undefined) {
        say(`starting Typesense of region ${s.region} on ${searchUrl(s)}`);
        await startServer(p, s);
      }
    }
    return existing;
  }
  const people = o.people ?? 20_000;
  const schemas = path.resolve(o.baseDir, config.search.collectionsFile);
  const conn = p.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE);
  say(`search schema and ${people} people in ${REGION_A_PRIMARY}/${APP_DATABASE}`);
  const c = await connectEndpoint(conn);
  try {
    await c.query(SEARCH_SCHEMA_SQL);
    await c.query(searchSeedSql(people));
  } finally {
    await c.end();
  }
  const servers = [await newServer(p, 'a'), await newServer(p, 'b')];
  const state: LabSearchState = {
    alias: 'people',
    people,
    schemas,
    servers,
    indexedAt: '',
  };
  // recorded before any server starts, so `lab down` finds whatever a failed start left
  writeSearchState(p, state);
  for (const s of servers) {
    say(`Typesense of region ${s.region} on ${searchUrl(s)} (data ${s.dataDir})`);
    await startServer(p, s);
  }
  const a = servers[0]!;
  const index = new TypesenseSearchIndex({ url: searchUrl(a), apiKey: a.apiKey });
  const labConfig = { ...config, stateDir: p.paths.stateDir };
  const st = await searchReindex.normalize(
    {
      schemas,
      dbHost: conn.host,
      dbPort: conn.port,
      dbName: APP_DATABASE,
      dbUser: conn.user,
    },
    {
      config: labConfig,
      journalDir: p.paths.journalDir,
      provider: 'lab',
      ports: { searchIndex: index, sql: connectEndpoint },
    },
  );
  say(`initial index of region A by RB-N-04`);
  const res = await execute(createSearchReindexRunbook({ index, sql: connectEndpoint }), st, {
    journalDir: p.paths.journalDir,
    yes: true,
  });
  if (res.summary?.outcome !== 'succeeded')
    throw new PreconditionError(`the initial index failed (${res.summary?.outcome ?? '?'})`, {
      hint: `see the journal ${res.journalFile ?? p.paths.journalDir}`,
    });
  const app = await readAppConfig(p.secrets);
  await writeAppConfig(p.secrets, { ...app, search: appSearchOf(a, state.alias) });
  const done = { ...state, indexedAt: new Date().toISOString() };
  writeSearchState(p, done);
  return done;
}

/** What `lab status` shows of search: each server, whether it runs, its alias's target. */
export async function labSearchStatus(p: LabProvider): Promise<
  | Array<{
      region: string;
      url: string;
      running: boolean;
      pid?: number;
      alias: string;
      aliasTarget?: string;
      documents?: number;
      servesApp: boolean;
    }>
  | undefined
> {
  const st = readLabSearch(p);
  if (!st) return undefined;
  const app = await readAppConfig(p.secrets).catch(() => undefined);
  const out = [];
  for (const s of st.servers) {
    const pid = searchPid(p, s.region);
    const row = {
      region: s.region,
      url: searchUrl(s),
      running: pid !== undefined,
      ...(pid !== undefined ? { pid } : {}),
      alias: st.alias,
      servesApp: app?.search?.url === searchUrl(s),
    };
    if (pid === undefined) {
      out.push(row);
      continue;
    }
    const h = { 'X-TYPESENSE-API-KEY': s.apiKey };
    const alias = await fetch(`${searchUrl(s)}/aliases/${st.alias}`, { headers: h })
      .then(async (r) => (r.ok ? ((await r.json()) as { collection_name: string }) : undefined))
      .catch(() => undefined);
    const coll = alias
      ? await fetch(`${searchUrl(s)}/collections/${alias.collection_name}`, { headers: h })
          .then(async (r) => (r.ok ? ((await r.json()) as { num_documents: number }) : undefined))
          .catch(() => undefined)
      : undefined;
    out.push({
      ...row,
      ...(alias ? { aliasTarget: alias.collection_name } : {}),
      ...(coll ? { documents: coll.num_documents } : {}),
    });
  }
  return out;
}
