/**
 * Validation memory as the table grows: drkit's chunked checksums (`snapshotChecksums` on 2
 * connections in one snapshot) against the seed's single `md5(string_agg(...))` query, on tables
 * of 1M, 8M and 30M rows (`id bigint primary key, updated_at timestamptz`, made set-wise), one
 * after the other in one cluster. Per size: time, each backend's peak private memory (RssAnon,
 * sampled every 10 ms from /proc) and this process's peak RSS; the seed's query is reported as
 * failed with PostgreSQL's message when its string passes the 1 GB limit.
 *
 *   npx tsx bench/validate/scale.ts [--sizes 1000000,8000000,30000000] [--results bench/RESULTS.md]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../../packages/drkit/src/util/net.js';
import { snapshotChecksums } from '../../packages/drkit/src/validate/suite.js';
import { machine, machineLine, n, RESULTS_FILE, withLab, writeSection } from '../pitr/harness.js';
import { procStatus } from './proc-status.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,8000000,30000000' },
    results: { type: 'string', default: RESULTS_FILE },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const SEED_QUERY = `SELECT md5(string_agg(id::text || ':' || updated_at::text, ',' ORDER BY id)) AS h FROM t`;

interface Row {
  rows: number;
  side: string;
  ms: number;
  peakAnonMiB: number;
  drkitPeakRssMiB: number;
  outcome: string;
}

await withLab('drkit-bench-validate-scale-', async (_labDir, mgr) => {
  const loadBefore = os.loadavg();
  await mgr.create('db', { port: await freePort(), stanza: false });
  const config = mgr.connectionConfig('db');
  const out: Row[] = [];
  let made = 0;
  for (const rows of SIZES) {
    const c = new pg.Client(config);
    await c.connect();
    if (made === 0)
      await c.query('CREATE TABLE t (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)');
    await c.query(
      `INSERT INTO t SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series($1::bigint + 1, $2::bigint) g`,
      [made, rows],
    );
    made = rows;
    await c.query('VACUUM ANALYZE t');
    await c.end();
    console.error(`table t: ${rows} rows`);

    /** Runs `work` on fresh connections, sampling every backend they open and this process. */
    const measure = async (
      side: string,
      work: (leader: pg.Client, open: () => Promise<pg.Client>) => Promise<void>,
    ): Promise<void> => {
      const clients: pg.Client[] = [];
      const pids: number[] = [];
      const peak = new Map<number, number>();
      let rssPeak = process.memoryUsage().rss;
      const open = async () => {
        const x = new pg.Client(config);
        await x.connect();
        const pid = (await x.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
        clients.push(x);
        pids.push(pid);
        return x;
      };
      const leader = await open();
      const timer = setInterval(() => {
        for (const pid of pids) {
          try {
            const anon = procStatus(pid).anon; // NaN while the backend exits
            if (Number.isFinite(anon)) peak.set(pid, Math.max(peak.get(pid) ?? 0, anon));
          } catch {
            // the backend is gone
          }
        }
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }, 10);
      const t0 = performance.now();
      let outcome = 'ok';
      try {
        await work(leader, open);
      } catch (e) {
        outcome = `FAILED: ${(e as Error).message}`;
      } finally {
        clearInterval(timer);
      }
      const ms = Math.round(performance.now() - t0);
      for (const x of clients) await x.end().catch(() => undefined);
      const row: Row = {
        rows,
        side,
        ms,
        peakAnonMiB: Math.round(Math.max(0, ...peak.values()) / 1024),
        drkitPeakRssMiB: Math.round(rssPeak / 2 ** 20),
        outcome,
      };
      out.push(row);
      console.error(JSON.stringify(row));
    };
    await measure('drkit snapshotChecksums, 2 connections', async (leader, open) => {
      const snap = await snapshotChecksums(leader, [{ table: 't' }], {
        parallel: { workers: 2, connect: open },
      });
      if (snap.tables[0]!.rowCount !== rows) throw new Error('wrong row count');
    });
    await measure('seed md5(string_agg)', async (leader) => {
      await leader.query(SEED_QUERY);
    });
  }
  console.log(JSON.stringify(out, null, 2));

  const argv = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--results' && all[i - 1] !== '--results');
  writeSection(
    args.results,
    'Validation memory as the table grows',
    `
Command: \`${['npx tsx bench/validate/scale.ts', ...argv].join(' ')}\` — ${machineLine(
      machine(),
      [loadBefore[0]!, os.loadavg()[0]!].map((x) => Number(x.toFixed(2))),
    )}.

One table \`t (id bigint primary key, updated_at timestamptz)\` grown set-wise to each size in turn (VACUUM ANALYZE after each), in one cluster with initdb's settings. Each workload opens fresh connections; "backend peak private MiB" is the largest \`RssAnon\` of any backend it opened (sampled every 10 ms from \`/proc/<pid>/status\`; an idle backend holds about 3 MiB); drkit's RSS is this process's peak.

| rows | workload | ms | backend peak private MiB | drkit RSS peak MiB | outcome |
|---|---|---|---|---|---|
${out.map((r) => `| ${n(r.rows)} | ${r.side} | ${n(r.ms)} | ${r.peakAnonMiB} | ${r.drkitPeakRssMiB} | ${r.outcome.replace(/\|/g, '\\|')} |`).join('\n')}
`,
  );
});
