/**
 * Benchmark: reindex of N people (default 1,000,000) from PostgreSQL into Typesense.
 *
 *   npx tsx bench/search-reindex/run.ts [--people 1000000] [--batch-size N] [--concurrency N] [--no-write]
 *
 * `--batch-size` is the import's server-side `batch_size` drkit sends (default: the server's, 40),
 * `--concurrency` drkit's import requests in flight (default 1); the skeleton is unchanged.
 *
 * One PostgreSQL 15 cluster seeded with the lab's search schema (skewed cities/roles) and one
 * real Typesense server, shared by both sides in the same run; each side runs in its own Node
 * process so its peak RSS is its own:
 * - the seeds' skeleton as written (RB-N-04): `db.query` of every row into memory, `rows.map`,
 *   then one `import(batch, { action: 'upsert' })` call per row source — hot slice, then all;
 * - drkit: RB-N-04 itself (people only), through the executor: hot slice, alias, backfill through
 *   a server-side cursor, catch-up, count check, alias swap.
 * The result is written to bench/RESULTS.md under "## Search reindex".
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Client } from 'typesense';
import { PgClusterManager } from '../../packages/drkit/src/adapters/postgres/pg-cluster-manager.js';
import { TypesenseSearchIndex } from '../../packages/drkit/src/adapters/typesense/index.js';
import { ConfigSchema } from '../../packages/drkit/src/config/schema.js';
import { execute } from '../../packages/drkit/src/engine/executor.js';
import { connectEndpoint } from '../../packages/drkit/src/lab/provider.js';
import { SEARCH_SCHEMA_SQL, searchSeedSql } from '../../packages/drkit/src/lab/search-schema.js';
import { startTypesenseServer } from '../../packages/drkit/src/lab/typesense-server.js';
import {
  createSearchReindexRunbook,
  searchReindex,
} from '../../packages/drkit/src/runbooks/search-reindex/index.js';
import { freePort } from '../../packages/drkit/src/util/net.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const log = (m: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface World {
  readonly db: { host: string; port: number; database: string; user: string };
  readonly ts: { url: string; apiKey: string };
  readonly dir: string;
  readonly people: number;
  readonly importBatchSize?: number;
  readonly importConcurrency?: number;
}
interface SideResult {
  readonly ms: number;
  readonly hotMs: number;
  readonly docs: number;
  readonly peakRssMiB: number;
  readonly rssSamplesMiB: number[];
  readonly error?: string;
}

const HOT = { city: ['Paris', 'London'], role: ['photographer'] };

/** RSS sampled every 250 ms (to show flat vs growing memory), and the kernel's peak. */
function sampler(): { stop(): { peak: number; samples: number[] } } {
  const samples: number[] = [];
  const t = setInterval(() => samples.push(process.memoryUsage.rss() / 2 ** 20), 250);
  return {
    stop() {
      clearInterval(t);
      return { peak: process.resourceUsage().maxRSS / 1024, samples };
    },
  };
}

async function skeleton(w: World): Promise<SideResult> {
  // the seeds' skeleton, only its connection settings changed (loopback, http)
  const u = new URL(w.ts.url);
  const ts = new Client({
    nodes: [{ host: u.hostname, port: Number(u.port), protocol: 'http' }],
    apiKey: w.ts.apiKey,
    connectionTimeoutSeconds: 600,
  });
  const db = new pg.Pool(w.db);
  const normalize = (r: Record<string, unknown>) => ({
    id: String(r.id),
    name: r.name,
    city: r.city,
    role: r.role,
    ...(r.bio === null ? {} : { bio: r.bio }),
    rating: r.rating,
  });
  const collection = `people_skeleton_${Date.now()}`;
  await ts.collections().create({
    name: collection,
    fields: [
      { name: 'name', type: 'string' },
      { name: 'city', type: 'string', facet: true },
      { name: 'role', type: 'string', facet: true },
      { name: 'bio', type: 'string', optional: true },
      { name: 'rating', type: 'int32' },
    ],
    default_sorting_field: 'rating',
  });
  async function stream(q: string, f: unknown[], toCollection: string) {
    const rows = await db.query(q, f);
    const batch = rows.rows.map(normalize);
    await ts.collections(toCollection).documents().import(batch, { action: 'upsert' });
  }
  const m = sampler();
  const t0 = Date.now();
  let hotMs = 0;
  let error: string | undefined;
  try {
    await stream('select * from search.people_hot($1)', [JSON.stringify(HOT)], collection);
    hotMs = Date.now() - t0;
    await stream('select * from search.people_all()', [], collection);
  } catch (e) {
    error = (e as Error).message.slice(0, 300);
  }
  const ms = Date.now() - t0;
  const mem = m.stop();
  await db.end();
  const docs = (await ts.collections(collection).retrieve()).num_documents;
  return {
    ms,
    hotMs,
    docs,
    peakRssMiB: mem.peak,
    rssSamplesMiB: mem.samples,
    ...(error ? { error } : {}),
  };
}

async function drkit(w: World): Promise<SideResult> {
  const file = path.join(w.dir, 'people-only.json');
  const all = JSON.parse(
    readFileSync(path.resolve(here, '../../ops/typesense/collections.json'), 'utf8'),
  ) as { collections: Array<{ name: string }>; hotSlices: unknown[] };
  writeFileSync(
    file,
    JSON.stringify({ ...all, collections: all.collections.filter((c) => c.name === 'people') }),
  );
  const index = new TypesenseSearchIndex({
    ...w.ts,
    ...(w.importBatchSize ? { importBatchSize: w.importBatchSize } : {}),
    ...(w.importConcurrency ? { importConcurrency: w.importConcurrency } : {}),
  });
  const config = ConfigSchema.parse({ stateDir: path.join(w.dir, 'state') });
  const journalDir = path.join(w.dir, 'journal');
  const state = await searchReindex.normalize(
    {
      schemas: file,
      dbHost: w.db.host,
      dbPort: w.db.port,
      dbName: w.db.database,
      dbUser: w.db.user,
    },
    { config, journalDir, provider: 'lab', ports: { searchIndex: index, sql: connectEndpoint } },
  );
  const m = sampler();
  const t0 = Date.now();
  const res = await execute(createSearchReindexRunbook({ index, sql: connectEndpoint }), state, {
    journalDir,
    yes: true,
  });
  const ms = Date.now() - t0;
  const mem = m.stop();
  return {
    ms,
    hotMs: new Date(res.state.hotReadyAt!).getTime() - t0,
    docs: await index.count(res.state.targets!.people!),
    peakRssMiB: mem.peak,
    rssSamplesMiB: mem.samples,
  };
}

/** A process's CPU seconds so far (utime + stime of /proc/<pid>/stat, 100 Hz ticks). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}
/** The machine's busy and total CPU seconds so far (/proc/stat, every core). */
function machineCpu(): { busy: number; total: number } {
  const v = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = v.reduce((a, b) => a + b, 0) / 100;
  const idle = (v[3]! + v[4]!) / 100;
  return { busy: total - idle, total };
}
interface Measured extends SideResult {
  /** The Typesense server's CPU seconds during the side. */
  readonly serverCpuS: number;
  /** Every process's busy CPU seconds on the machine during the side (others' work included). */
  readonly machineBusyS: number;
  readonly machineTotalS: number;
  readonly load: readonly [number, number];
}

async function measured(
  side: 'skeleton' | 'drkit',
  w: World,
  serverPid: number,
): Promise<Measured> {
  const s0 = cpuSeconds(serverPid);
  const m0 = machineCpu();
  const l0 = os.loadavg()[0]!;
  const r = await child(side, w);
  const m1 = machineCpu();
  return {
    ...r,
    serverCpuS: cpuSeconds(serverPid) - s0,
    machineBusyS: m1.busy - m0.busy,
    machineTotalS: m1.total - m0.total,
    load: [l0, os.loadavg()[0]!],
  };
}

async function child(side: 'skeleton' | 'drkit', w: World): Promise<SideResult> {
  return await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SIDE: side, BENCH_WORLD: JSON.stringify(w) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as SideResult);
      } catch {
        reject(new Error(`${side} exited ${code} without a result: ${out.slice(0, 500)}`));
      }
    });
  });
}

if (process.env.BENCH_SIDE) {
  const w = JSON.parse(process.env.BENCH_WORLD!) as World;
  const r = process.env.BENCH_SIDE === 'skeleton' ? await skeleton(w) : await drkit(w);
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

const PEOPLE = Number(opt('people', '1000000'));
const BATCH_SIZE = Number(opt('batch-size', '0'));
const CONCURRENCY = Number(opt('concurrency', '0'));
const WRITE = !args.includes('--no-write');
const dir = mkdtempSync('/tmp/drkit-bench-search-');
chmodSync(dir, 0o755);
const mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
const cleanup = async () => {
  for (const c of mgr.list())
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
};
const server = await (async () => {
  await mgr.create('src', { port: await freePort(), stanza: false });
  let t = Date.now();
  await mgr.query('src', SEARCH_SCHEMA_SQL);
  await mgr.query('src', searchSeedSql(PEOPLE));
  log(`seeded ${PEOPLE} people in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  const s = await startTypesenseServer({ dataDir: path.join(dir, 'typesense') });
  log(`typesense up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return s;
})().catch(async (e: unknown) => {
  await cleanup();
  throw e;
});
try {
  const w: World = {
    db: mgr.connectionConfig('src'),
    ts: { url: server.url, apiKey: server.apiKey },
    dir,
    people: PEOPLE,
    ...(BATCH_SIZE ? { importBatchSize: BATCH_SIZE } : {}),
    ...(CONCURRENCY ? { importConcurrency: CONCURRENCY } : {}),
  };
  const c = new pg.Client(w.db);
  await c.connect();
  const hotRows = Number(
    (await c.query('select count(*) n from search.people_hot($1)', [JSON.stringify(HOT)])).rows[0]
      .n,
  );
  await c.end();
  log('skeleton…');
  const sk = await measured('skeleton', w, server.pid);
  log(`skeleton: ${JSON.stringify({ ...sk, rssSamplesMiB: undefined })}`);
  log('drkit…');
  const dk = await measured('drkit', w, server.pid);
  log(`drkit: ${JSON.stringify({ ...dk, rssSamplesMiB: undefined })}`);
  const rate = (r: SideResult, docs: number) => docs / (r.ms / 1000);
  // the skeleton imports the hot rows twice (hot, then all): count what it sent
  const skSent = hotRows + PEOPLE;
  const skRate = sk.error ? Number.NaN : rate(sk, skSent);
  const dkRate = rate(dk, PEOPLE + hotRows);
  const range = (s: number[]) =>
    s.length ? `${Math.min(...s).toFixed(0)} → ${Math.max(...s).toFixed(0)}` : '-';
  const hotFrac = dk.hotMs / dk.ms;
  const perHour = dkRate * 3600;
  const cores = os.cpus().length;
  const busy = (r: Measured) => (100 * r.machineBusyS) / r.machineTotalS;
  const usPerDoc = (r: Measured, docs: number) => (1e6 * r.serverCpuS) / docs;
  // the floor of drkit's wall time if only the server's indexing counted and it had every core
  const floorS = dk.serverCpuS / cores;
  const ceiling = Number.isNaN(skRate) ? Number.NaN : sk.ms / 1000 / floorS;
  const knobs = [
    BATCH_SIZE ? `--batch-size ${BATCH_SIZE}` : '',
    CONCURRENCY ? `--concurrency ${CONCURRENCY}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const section = `## Search reindex

RB-N-04's reindex of ${PEOPLE.toLocaleString('en')} people (${hotRows.toLocaleString('en')} in the hot slice: photographers in the top 2 cities) from
PostgreSQL 15 into one real Typesense 0.24.1 server, both sides in the same run against the same database and server,
each in its own Node process, on ${cores} CPU cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}. drkit's import:
server-side \`batch_size\` ${BATCH_SIZE || 'the server default (40)'}, ${CONCURRENCY || 1} request(s) in flight, ≤ 8 MiB / 5,000 documents a request.

| approach | documents sent | time | documents/s | hot slice searchable | peak RSS | RSS during the run (MiB) | server CPU s (µs/doc) | server cores busy | machine busy (load 1 min) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| seeds' skeleton as written (one query into memory, one import call per source) | ${skSent.toLocaleString('en')} | ${(sk.ms / 1000).toFixed(1)} s${sk.error ? ` (failed: ${sk.error.replace(/\|/g, '/')})` : ''} | ${Number.isNaN(skRate) ? '-' : skRate.toFixed(0)} | ${(sk.hotMs / 1000).toFixed(1)} s | ${sk.peakRssMiB.toFixed(0)} MiB | ${range(sk.rssSamplesMiB)} | ${sk.serverCpuS.toFixed(1)} (${usPerDoc(sk, skSent).toFixed(1)}) | ${(sk.serverCpuS / (sk.ms / 1000)).toFixed(2)} | ${busy(sk).toFixed(0)} % (${sk.load[0].toFixed(1)} → ${sk.load[1].toFixed(1)}) |
| drkit RB-N-04 (cursor, byte-bounded batches, hot alias, catch-up, count check) | ${(PEOPLE + hotRows).toLocaleString('en')} | ${(dk.ms / 1000).toFixed(1)} s | ${dkRate.toFixed(0)} | ${(dk.hotMs / 1000).toFixed(1)} s (${(hotFrac * 100).toFixed(1)} % of full) | ${dk.peakRssMiB.toFixed(0)} MiB | ${range(dk.rssSamplesMiB)} | ${dk.serverCpuS.toFixed(1)} (${usPerDoc(dk, PEOPLE + hotRows).toFixed(1)}) | ${(dk.serverCpuS / (dk.ms / 1000)).toFixed(2)} | ${busy(dk).toFixed(0)} % (${dk.load[0].toFixed(1)} → ${dk.load[1].toFixed(1)}) |

drkit/skeleton documents/s: **${Number.isNaN(skRate) ? 'skeleton failed' : `${(dkRate / skRate).toFixed(2)}×`}** (target ≥ 3×: **${dkRate / skRate >= 3 ? 'met' : 'not met'}**); hot slice at ${(hotFrac * 100).toFixed(1)} % of the full time (target ≤ 10 %: ${hotFrac <= 0.1 ? 'met' : 'not met'}).
Collection counts after the run: skeleton ${sk.docs.toLocaleString('en')}, drkit ${dk.docs.toLocaleString('en')}.

- What bounds the ratio: the one Typesense server's indexing. It spent ${dk.serverCpuS.toFixed(1)} CPU-seconds on drkit's documents and ${sk.serverCpuS.toFixed(1)} on the
  skeleton's (the same documents, the same schema): that is ≥ ${floorS.toFixed(1)} s of wall time for drkit even with all ${cores} cores
  given to the server and nothing else running, so against the skeleton's ${(sk.ms / 1000).toFixed(1)} s the ratio cannot exceed ~${Number.isNaN(ceiling) ? '-' : ceiling.toFixed(1)}× on this machine
  whatever the client does. Both sides send the same documents; a client can only overlap its own work (reading, serializing)
  with the server's, which drkit does (the next batch is read while the server indexes the current one).
- "server cores busy" is the server's CPU seconds ÷ the side's wall time; "machine busy" is every process's CPU on the
  machine during the side (other engineers' work included: the machine is shared).
- Memory: drkit holds at most ${(CONCURRENCY || 1) + 1} batches (≤ 8 MiB of JSONL each) plus the HTTP client's copies, whatever the row count;
  the skeleton holds every row and then one request body of every document.

At drkit's measured rate (${dkRate.toFixed(0)} documents/s on this machine) the seeds' windows hold: hot slice < 15 min ≈
${Math.round(dkRate * 900).toLocaleString('en')} hot documents; full < 4 h ≈ ${Math.round(perHour * 4).toLocaleString('en')} documents (one Typesense node, ${cores} shared cores).

Command (seed, Typesense, skeleton, drkit; rewrites this section):

\`\`\`
npx tsx bench/search-reindex/run.ts --people ${PEOPLE}${knobs ? ` ${knobs}` : ''}
\`\`\`

Recorded ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
`;
  console.log(`\n${section}`);
  if (WRITE) writeSection(path.resolve(here, '../RESULTS.md'), section);
} finally {
  await server.stop();
  await cleanup();
}

/** Replaces (or appends) the `## Search reindex` section, leaving other sections alone. */
function writeSection(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('## Search reindex');
  let out: string;
  if (start < 0) out = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + 1);
    out = text.slice(0, start) + section + (next < 0 ? '' : `\n${text.slice(next + 1)}`);
  }
  writeFileSync(file, out);
}
