/**
 * Probe: which import settings change the documents/s one Typesense server ingests?
 *
 *   npx tsx bench/search-reindex/probe.ts [--people 200000] [--variants a,b,…] [--repeat 1]
 *
 * One PostgreSQL 15 cluster seeded with the lab's search schema and one real Typesense server.
 * The people are read into memory ONCE (so the database is out of the measurement), then each
 * variant imports all of them into a fresh collection; the server's CPU seconds
 * (/proc/<pid>/stat utime+stime) and the machine's load are recorded for each. Variants:
 * the seeds' skeleton call (one import of every document), and the adapter with a server-side
 * `batch_size`, concurrent requests, request sizes, and a schema with display-only fields
 * `index: false`. Prints one table (markdown) on stdout; nothing is written.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'typesense';
import { PgClusterManager } from '../../packages/drkit/src/adapters/postgres/pg-cluster-manager.js';
import { TypesenseSearchIndex } from '../../packages/drkit/src/adapters/typesense/index.js';
import { SEARCH_SCHEMA_SQL, searchSeedSql } from '../../packages/drkit/src/lab/search-schema.js';
import { startTypesenseServer } from '../../packages/drkit/src/lab/typesense-server.js';
import type { FieldSchema, SearchDocument } from '../../packages/drkit/src/ports/search-index.js';
import { freePort } from '../../packages/drkit/src/util/net.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const log = (m: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const FIELDS: FieldSchema[] = [
  { name: 'name', type: 'string' },
  { name: 'city', type: 'string', facet: true },
  { name: 'role', type: 'string', facet: true },
  { name: 'bio', type: 'string', optional: true },
  { name: 'rating', type: 'int32' },
];

interface Variant {
  readonly name: string;
  readonly kind: 'skeleton' | 'adapter';
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly maxDocs?: number;
  readonly fields?: FieldSchema[];
}
const VARIANTS: Variant[] = [
  { name: 'skeleton', kind: 'skeleton' },
  { name: 'adapter', kind: 'adapter' },
  { name: 'bs200', kind: 'adapter', batchSize: 200 },
  { name: 'bs1000', kind: 'adapter', batchSize: 1000 },
  { name: 'c2', kind: 'adapter', concurrency: 2 },
  { name: 'c4', kind: 'adapter', concurrency: 4 },
  { name: 'bs1000c2', kind: 'adapter', batchSize: 1000, concurrency: 2 },
  { name: 'docs1000', kind: 'adapter', maxDocs: 1000 },
  { name: 'docs20000', kind: 'adapter', maxDocs: 20_000 },
  {
    name: 'noindex',
    kind: 'adapter',
    fields: FIELDS.map((f) => (f.name === 'bio' ? { ...f, index: false } : f)),
  },
  {
    name: 'skeleton-noindex',
    kind: 'skeleton',
    fields: FIELDS.map((f) => (f.name === 'bio' ? { ...f, index: false } : f)),
  },
];

const PEOPLE = Number(opt('people', '200000'));
const REPEAT = Number(opt('repeat', '1'));
const pick = opt('variants', VARIANTS.map((v) => v.name).join(',')).split(',');

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime + stime, clock ticks (100 Hz)
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = mkdtempSync('/tmp/drkit-probe-search-');
chmodSync(dir, 0o755);
const mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
await mgr.create('src', { port: await freePort(), stanza: false });
await mgr.query('src', SEARCH_SCHEMA_SQL);
await mgr.query('src', searchSeedSql(PEOPLE));
const rows = await mgr.query('src', 'SELECT * FROM search.people_all()');
await mgr.stop('src', 'fast');
const docs: SearchDocument[] = rows.map((r) => ({
  id: String(r.id),
  name: r.name,
  city: r.city,
  role: r.role,
  ...(r.bio === null ? {} : { bio: r.bio }),
  rating: r.rating,
}));
log(`${docs.length} documents in memory`);
const server = await startTypesenseServer({ dataDir: path.join(dir, 'typesense') });
const out: string[] = [
  `${PEOPLE.toLocaleString('en')} people, ${os.cpus().length} cores, Node ${process.version}; loadavg at start ${os.loadavg()[0]!.toFixed(2)}`,
  '',
  '| variant | seconds | documents/s | server CPU s | server CPU / wall | client CPU s | loadavg(1) after |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
try {
  const client = new Client({
    nodes: [{ host: '127.0.0.1', port: server.port, protocol: 'http' }],
    apiKey: server.apiKey,
    connectionTimeoutSeconds: 600,
  });
  let n = 0;
  for (let round = 0; round < REPEAT; round++) {
    for (const v of VARIANTS.filter((x) => pick.includes(x.name))) {
      const collection = `p${n++}`;
      const index = new TypesenseSearchIndex({
        url: server.url,
        apiKey: server.apiKey,
        timeoutSeconds: 600,
        ...(v.batchSize ? { importBatchSize: v.batchSize } : {}),
        ...(v.concurrency ? { importConcurrency: v.concurrency } : {}),
      });
      await index.createCollection({
        name: collection,
        fields: v.fields ?? FIELDS,
        default_sorting_field: 'rating',
      });
      const s0 = cpuSeconds(server.pid);
      const c0 = selfCpu();
      const t0 = Date.now();
      if (v.kind === 'skeleton') {
        await client
          .collections(collection)
          .documents()
          .import(docs as never[], { action: 'upsert' });
      } else {
        const r = await index.importDocuments(collection, docs, {
          ...(v.maxDocs ? { maxBatchDocs: v.maxDocs } : {}),
        });
        if (r.failed.length) throw new Error(`${v.name}: ${r.failed.length} failed`);
      }
      const sec = (Date.now() - t0) / 1000;
      const srv = cpuSeconds(server.pid) - s0;
      const cli = selfCpu() - c0;
      const count = await index.count(collection);
      if (count !== docs.length) throw new Error(`${v.name}: ${count} documents`);
      const line = `| ${v.name} | ${sec.toFixed(1)} | ${(docs.length / sec).toFixed(0)} | ${srv.toFixed(1)} | ${(srv / sec).toFixed(2)} | ${cli.toFixed(1)} | ${os.loadavg()[0]!.toFixed(2)} |`;
      log(line);
      out.push(line);
      await index.dropCollection(collection);
    }
  }
  console.log(out.join('\n'));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
