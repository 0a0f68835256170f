/**
 * Validation throughput: drkit's chunked checksums (snapshotChecksums, then verifySnapshot of
 * that snapshot, which re-hashes each chunk's key range) against the baseline, the seed's
 * single query `md5(string_agg(id || ':' || updated_at, ',' ORDER BY id))`, on the same table
 * in the same process. Per workload: rows/s, the serving backend's memory (VmHWM and the
 * sampled peak of its private RssAnon, from /proc/<pg_backend_pid()>/status) and this
 * process's RSS.
 *
 *   npx tsx bench/validate/run.ts [--runs 3] [--users 80000] [--orders-per-user 100] [--note-bytes 64]
 *     [--results bench/RESULTS.md]   (its '## Validation throughput' section is replaced)
 *
 * Starts its own cluster in a temp lab dir and removes it at the end (also on Ctrl-C).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { applySchema, seedData } from '../../packages/drkit/src/lab/schema.js';
import { freePort } from '../../packages/drkit/src/util/net.js';
import {
  snapshotChecksums,
  verifySnapshot,
  type ChecksumSnapshot,
} from '../../packages/drkit/src/validate/suite.js';
import {
  machine,
  machineLine,
  median,
  n,
  RESULTS_FILE,
  withLab,
  writeSection,
} from '../pitr/harness.js';
import { procStatus } from './proc-status.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    users: { type: 'string', default: '80000' },
    'orders-per-user': { type: 'string', default: '100' },
    'note-bytes': { type: 'string', default: '64' },
    results: { type: 'string', default: RESULTS_FILE },
  },
});
const RUNS = Number(args.runs);
const SIZE = {
  users: Number(args.users),
  ordersPerUser: Number(args['orders-per-user']),
  paymentsPerOrder: 0,
  messagesPerUser: 0,
  orderNoteBytes: Number(args['note-bytes']),
};
const SEED_QUERY = `SELECT md5(string_agg(id::text || ':' || updated_at::text, ',' ORDER BY id)) AS h FROM orders`;
const TABLES = [{ table: 'orders' }];

interface Sample {
  readonly ms: number;
  /** Backend: kernel-tracked peak RSS (includes shared buffers it touched), MiB. */
  readonly backendHwmMiB: number;
  /** Backend: peak of its private (anonymous) memory, sampled every 10 ms, MiB. */
  readonly backendPeakAnonMiB: number;
  /** Backend: private memory before the workload started, MiB. */
  readonly backendAnonBeforeMiB: number;
  /** This process: peak RSS sampled during the workload, and before it, MiB. */
  readonly drkitPeakRssMiB: number;
  readonly drkitRssBeforeMiB: number;
}

const mib = (kb: number) => Math.round(kb / 1024);

/** Runs `work` on a fresh connection (a fresh backend, so its VmHWM is this workload's alone). */
async function measure(
  config: pg.ClientConfig,
  work: (c: pg.Client) => Promise<void>,
): Promise<Sample> {
  const c = new pg.Client(config);
  await c.connect();
  try {
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const before = procStatus(pid);
    let peakAnon = before.anon;
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const timer = setInterval(() => {
      try {
        peakAnon = Math.max(peakAnon, procStatus(pid).anon);
      } catch {
        // the backend may be gone at the very end
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 10);
    const t0 = performance.now();
    try {
      await work(c);
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    const after = procStatus(pid);
    return {
      ms: Math.round(ms),
      backendHwmMiB: mib(after.hwm),
      backendPeakAnonMiB: mib(Math.max(peakAnon, after.anon)),
      backendAnonBeforeMiB: mib(before.anon),
      drkitPeakRssMiB: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
      drkitRssBeforeMiB: Math.round(rssBefore / 2 ** 20),
    };
  } finally {
    await c.end();
  }
}

await withLab('drkit-bench-validate-', async (_labDir, mgr) => {
  const loadBefore = os.loadavg();
  await mgr.create('db', { port: await freePort(), stanza: false });
  const config = mgr.connectionConfig('db');
  console.error(`seeding ${JSON.stringify(SIZE)} …`);
  const seedStart = Date.now();
  const client = new pg.Client(config);
  await client.connect();
  await applySchema(client);
  const counts = await seedData(client, SIZE);
  await client.query('VACUUM (ANALYZE) orders');
  const sizes = (
    await client.query<{ heap: string; total: string; db: string }>(
      `SELECT pg_size_pretty(pg_relation_size('orders')) heap, pg_size_pretty(pg_total_relation_size('orders')) total,
              pg_size_pretty(pg_database_size(current_database())) db`,
    )
  ).rows[0]!;
  const settings = (
    await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather')`,
    )
  ).rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`);
  await client.end();
  const rows = counts.orders;
  console.error(
    `seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s: ${rows} orders, heap ${sizes.heap}, with indexes ${sizes.total}; ${settings.join(', ')}`,
  );

  let snap: ChecksumSnapshot | undefined;
  const pool = () => ({
    workers: 2,
    connect: async () => {
      const c = new pg.Client(config);
      await c.connect();
      return c;
    },
  });
  let seedHash: string | undefined;
  const workloads = {
    /** drkit: the expected side (chunked keyset walk in one REPEATABLE READ snapshot). */
    'drkit snapshotChecksums': async (c: pg.Client) => {
      snap = await snapshotChecksums(c, TABLES);
    },
    /** drkit: the target side (one range checksum per expected chunk, plus the tail). */
    'drkit verifySnapshot': async (c: pg.Client) => {
      const rep = await verifySnapshot(snap!, c);
      if (!rep.ok) throw new Error('verifySnapshot of a database against its own snapshot failed');
    },
    /** drkit: the expected side on 2 connections sharing one exported snapshot. */
    'drkit snapshotChecksums x2': async (c: pg.Client) => {
      const par = await snapshotChecksums(c, TABLES, { parallel: pool() });
      if (par.tables[0]!.rowCount !== snap?.tables[0]!.rowCount)
        throw new Error('parallel snapshot counted other rows');
    },
    /** drkit: the target side on 2 connections. */
    'drkit verifySnapshot x2': async (c: pg.Client) => {
      const rep = await verifySnapshot(snap!, c, { parallel: pool() });
      if (!rep.ok)
        throw new Error('parallel verifySnapshot of a database against its own snapshot failed');
    },
    /** Baseline: the seed's single query. */
    'seed md5(string_agg)': async (c: pg.Client) => {
      const h = (await c.query<{ h: string }>(SEED_QUERY)).rows[0]!.h;
      if (seedHash && h !== seedHash) throw new Error('the seed query changed its answer');
      seedHash = h;
    },
  } as const;
  type Name = keyof typeof workloads;
  const names = Object.keys(workloads) as Name[];

  // Warm-up, unmeasured: page cache and shared buffers, and the first snapshot.
  for (const n of names) await measure(config, workloads[n]);
  const results = Object.fromEntries(names.map((n) => [n, [] as Sample[]])) as Record<
    Name,
    Sample[]
  >;
  for (let i = 0; i < RUNS; i++) {
    // Rotate the order so no workload always runs right after the same one.
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length]!;
      const s = await measure(config, workloads[n]);
      results[n].push(s);
      console.error(`run ${i + 1} ${n}: ${JSON.stringify(s)}`);
    }
  }

  const med = (n: Name, f: keyof Sample) => median(results[n].map((s) => s[f]));
  const summarize = (n: Name) => ({
    medianMs: med(n, 'ms'),
    runsMs: results[n].map((s) => s.ms),
    rowsPerSec: Math.round(rows / (med(n, 'ms') / 1000)),
    backendHwmMiB: med(n, 'backendHwmMiB'),
    backendPeakAnonMiB: med(n, 'backendPeakAnonMiB'),
    backendAnonBeforeMiB: med(n, 'backendAnonBeforeMiB'),
    drkitPeakRssMiB: med(n, 'drkitPeakRssMiB'),
    drkitRssBeforeMiB: med(n, 'drkitRssBeforeMiB'),
  });
  const summary = Object.fromEntries(names.map((n) => [n, summarize(n)])) as Record<
    Name,
    ReturnType<typeof summarize>
  >;
  const base = summary['seed md5(string_agg)'];
  const drkit = summary['drkit snapshotChecksums'];
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: machine(),
        loadavg1mBeforeAfter: [loadBefore[0]!, os.loadavg()[0]!].map((x) => Number(x.toFixed(2))),
        runs: RUNS,
        seed: SIZE,
        rows,
        table: sizes,
        settings,
        chunkRows: 50_000,
        workloads: summary,
        ratios: {
          timeSeedOverSnapshotChecksums: Number((base.medianMs / drkit.medianMs).toFixed(2)),
          timeSeedOverSnapshotChecksumsX2: Number(
            (base.medianMs / summary['drkit snapshotChecksums x2'].medianMs).toFixed(2),
          ),
          timeSeedOverVerifySnapshotX2: Number(
            (base.medianMs / summary['drkit verifySnapshot x2'].medianMs).toFixed(2),
          ),
          timeSeedOverVerifySnapshot: Number(
            (base.medianMs / summary['drkit verifySnapshot'].medianMs).toFixed(2),
          ),
          backendPeakAnonSeedOverSnapshotChecksums: Number(
            (base.backendPeakAnonMiB / drkit.backendPeakAnonMiB).toFixed(1),
          ),
        },
      },
      null,
      2,
    ),
  );

  const row = (label: string, w: Name) => {
    const x = summary[w];
    return `| ${label} | ${n(x.medianMs)} (${x.runsMs.map(n).join(' / ')}) | ${n(x.rowsPerSec)} | ${x.backendHwmMiB} | ${x.backendPeakAnonMiB} | ${x.drkitRssBeforeMiB} → ${x.drkitPeakRssMiB} |`;
  };
  const argv = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--results' && all[i - 1] !== '--results');
  writeSection(
    args.results,
    'Validation throughput',
    `
Command: \`${['npx tsx bench/validate/run.ts', ...argv].join(' ')}\` — ${machineLine(
      machine(),
      [loadBefore[0]!, os.loadavg()[0]!].map((x) => Number(x.toFixed(2))),
    )}. PostgreSQL settings from initdb: ${settings.join(', ')}.

Table: \`orders\` of the sample schema, **${n(rows)} rows**, heap ${sizes.heap} (${sizes.total} with indexes). Each workload runs on a fresh connection so its backend's \`VmHWM\` is its own; after one unmeasured warm-up of each, ${RUNS} measured rounds in rotating order. Backend memory from \`/proc/<pg_backend_pid()>/status\`: \`VmHWM\` (kernel peak of resident memory, which includes the shared buffers the backend touched) and the peak of \`RssAnon\` (private memory) sampled every 10 ms; drkit's RSS from \`process.memoryUsage()\`, sampled likewise.

| Workload (median of ${RUNS}) | ms (runs) | rows/s | backend VmHWM MiB | backend peak RssAnon MiB | drkit RSS MiB (before → peak) |
|---|---|---|---|---|---|
${row("Baseline: `SELECT md5(string_agg(id::text \\|\\| ':' \\|\\| updated_at::text, ',' ORDER BY id)) FROM orders`", 'seed md5(string_agg)')}
${row(`drkit \`snapshotChecksums\` (expected side: keyset chunks of ${n(50_000)})`, 'drkit snapshotChecksums')}
${row('drkit `verifySnapshot` (target side: a range checksum per chunk + tail)', 'drkit verifySnapshot')}
${row('drkit `snapshotChecksums`, 2 connections in one exported snapshot (`parallel.workers: 2`)', 'drkit snapshotChecksums x2')}
${row('drkit `verifySnapshot`, 2 connections', 'drkit verifySnapshot x2')}

Ratios (baseline / drkit): time **${(base.medianMs / summary['drkit snapshotChecksums x2'].medianMs).toFixed(2)}×** for \`snapshotChecksums\` on 2 connections (backend memory columns: the first connection; the second runs the same one-row-per-query statements), ${(base.medianMs / summary['drkit verifySnapshot x2'].medianMs).toFixed(2)}× for \`verifySnapshot\` on 2; on one connection ${(base.medianMs / drkit.medianMs).toFixed(2)}× for \`snapshotChecksums\`, ${(base.medianMs / summary['drkit verifySnapshot'].medianMs).toFixed(2)}× for \`verifySnapshot\`; backend \`VmHWM\` ${(base.backendHwmMiB / drkit.backendHwmMiB).toFixed(1)}× (${base.backendHwmMiB} vs ${drkit.backendHwmMiB} MiB); backend private memory ${base.backendPeakAnonMiB} vs ${drkit.backendPeakAnonMiB} MiB (idle backend: ${drkit.backendAnonBeforeMiB} MiB).
`,
  );
});
