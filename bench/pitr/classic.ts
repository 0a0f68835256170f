/**
 * RB-N-02's classic path against bare pgBackRest at its defaults, on one WAL-heavy restore:
 * time to writable of `PgBackRestDatabase.restoreToTime` (WAL prefetched by an async
 * archive-get queue in the restored cluster's restore_command), the same with prefetch off, and
 * a bare `pgbackrest restore --type=time` + `pg_ctl start` + replay to promotion + first write,
 * on the same backup and target, interleaved in one process.
 *
 *   npx tsx bench/pitr/classic.ts [--runs 3] [--users 20000] [--orders-per-user 100]
 *     [--note-bytes 256] [--wal-mib 512] [--results bench/RESULTS.md]
 *
 * The WAL between the backup and the target comes from updating ranges of orders until
 * `--wal-mib` of WAL was written; the figure stated beside the ratios is that WAL in MiB.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  PgBackRestDatabase,
  PgClusterManager,
} from '../../packages/drkit/src/adapters/postgres/index.js';
import { applySchema, seedData } from '../../packages/drkit/src/lab/schema.js';
import { freePort, sleep } from '../../packages/drkit/src/util/net.js';
import { asUserArgv, runCommand } from '../../packages/drkit/src/util/proc.js';
import { formatPgTarget } from '../../packages/drkit/src/util/restore-target.js';
import {
  machine,
  machineLine,
  median,
  n,
  SEED_OPTIONS,
  seedSize,
  withLab,
  writeSection,
} from './harness.js';

const { values: args } = parseArgs({
  options: {
    ...SEED_OPTIONS,
    'wal-mib': { type: 'string', default: '512' },
  },
});
const RUNS = Number(args.runs);
const WAL_MIB = Number(args['wal-mib']);
const SIZE = seedSize(args);

const FINGERPRINT_SQL = `SELECT string_agg(t || '=' || n || '/' || s, ' ' ORDER BY t) AS f FROM (
  SELECT 'users' t, count(*) n, sum(hashtextextended(id || ':' || updated_at, 0)) s FROM users UNION ALL
  SELECT 'orders', count(*), sum(hashtextextended(id || ':' || updated_at || status || coalesce(note, ''), 0)) FROM orders UNION ALL
  SELECT 'payments', count(*), sum(hashtextextended(id || ':' || updated_at, 0)) FROM payments) x`;

type Side = 'drkit' | 'drkit-no-prefetch' | 'bare';

await withLab('drkit-bench-pitr-classic-', async (labDir, mgr) => {
  const loadBefore = os.loadavg();
  const db = new PgBackRestDatabase(mgr);
  // Same lab, same repository and registry: only the restored cluster's restore_command differs.
  const mgrNoPrefetch = new PgClusterManager({
    labDir,
    pgbackrest: { archiveGetQueueMaxMiB: 0 },
  });
  const dbNoPrefetch = new PgBackRestDatabase(mgrNoPrefetch);
  const fingerprint = async (port: number): Promise<string> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: mgr.superuser, database: 'postgres' });
    await c.connect();
    try {
      return (await c.query<{ f: string }>(FINGERPRINT_SQL)).rows[0]!.f;
    } finally {
      await c.end();
    }
  };

  console.error(`seeding ${JSON.stringify(SIZE)} …`);
  await mgr.create('src', { port: await freePort() });
  const client = new pg.Client(mgr.connectionConfig('src'));
  await client.connect();
  await applySchema(client);
  const counts = await seedData(client, SIZE);
  await client.query('VACUUM');
  await client.query('CHECKPOINT');
  const [{ pretty } = { pretty: '' }] = (
    await client.query<{ pretty: string }>(
      'SELECT pg_size_pretty(pg_database_size(current_database())) AS pretty',
    )
  ).rows;
  console.error(`seeded: ${JSON.stringify(counts)}, ${pretty}`);
  await db.backup('src', { type: 'full' });

  // WAL-heavy activity after the backup: rewrite ranges of orders until WAL_MIB is written.
  const lsn = async () =>
    (await client.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
  const afterBackup = await lsn();
  const walSince = async () =>
    Number(
      (
        await client.query<{ b: string }>(
          'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint::text AS b',
          [afterBackup],
        )
      ).rows[0]!.b,
    );
  let from = 0;
  const chunk = 50_000;
  while ((await walSince()) < WAL_MIB * 2 ** 20) {
    await client.query(
      `UPDATE orders SET status = CASE WHEN status = 'paid' THEN 'shipped' ELSE 'paid' END, updated_at = now() WHERE id > $1 AND id <= $2`,
      [from, from + chunk],
    );
    from = (from + chunk) % counts.orders;
  }
  await sleep(1100);
  const T = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
  const walToT = await walSince();
  const atT = await fingerprint(mgr.get('src').port);
  await sleep(1100);
  await client.query(`UPDATE orders SET status = 'refunded' WHERE id % 100 = 3`);
  // Everything up to T is in the archive before any side runs (drkit seals again itself).
  await client.query('SELECT pg_switch_wal()');
  await client.end();
  console.error(`${(walToT / 2 ** 20).toFixed(0)} MiB of WAL between the backup and T`);

  const stanza = 'src';
  const bare = async (id: string) => {
    const dir = path.join(labDir, 'bare', id);
    mgr.ensureDir(path.dirname(dir), 0o755);
    mgr.ensureDir(dir, 0o700);
    const port = await freePort();
    const t0 = Date.now();
    const r = await runCommand(
      mgr.pgbackrest.argv('restore', stanza, [
        `--pg1-path=${dir}`,
        '--type=time',
        `--target=${formatPgTarget(T)}`,
        '--target-action=promote',
      ]),
      { timeoutMs: 3_600_000 },
    );
    if (r.code !== 0) throw new Error(`pgbackrest restore failed: ${r.stderr}`);
    const filesMs = Date.now() - t0;
    // Its own port, no archiving (the bare side is spared that work).
    await runCommand(
      asUserArgv(
        [
          'sh',
          '-c',
          `printf '\\nport = ${port}\\narchive_mode = off\\n' >> '${dir}/postgresql.auto.conf'`,
        ],
        mgr.osUser,
      ),
    );
    const start = await runCommand(
      asUserArgv(
        [
          path.join(mgr.binDir, 'pg_ctl'),
          '-D',
          dir,
          '-l',
          `${dir}.log`,
          '-w',
          '-t',
          '600',
          'start',
        ],
        mgr.osUser,
      ),
      { timeoutMs: 700_000 },
    );
    if (start.code !== 0) throw new Error(`pg_ctl start failed: ${start.stderr} (see ${dir}.log)`);
    for (;;) {
      const c = new pg.Client({
        host: '127.0.0.1',
        port,
        user: mgr.superuser,
        database: 'postgres',
      });
      try {
        await c.connect();
        const rec = (await c.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]!.r;
        if (!rec) {
          await c.query(
            'create temporary table drkit_write_probe(x int); insert into drkit_write_probe values (1)',
          );
          break;
        }
      } catch {
        // starting up
      } finally {
        await c.end().catch(() => undefined);
      }
      await sleep(100);
    }
    const durationMs = Date.now() - t0;
    const same = (await fingerprint(port)) === atT;
    await runCommand(
      asUserArgv(
        [path.join(mgr.binDir, 'pg_ctl'), '-D', dir, '-m', 'immediate', 'stop'],
        mgr.osUser,
      ),
    );
    rmSync(dir, { recursive: true, force: true });
    if (!same) throw new Error(`${id}: bare restore differs from the source at T`);
    return { durationMs, filesMs, replayMs: durationMs - filesMs };
  };
  const viaDrkit = async (d: PgBackRestDatabase, m: PgClusterManager, id: string) => {
    const res = await d.restoreToTime({ source: 'src', target: T, newClusterId: id });
    const same = (await fingerprint(m.get(id).port)) === atT;
    await m.destroy(id);
    if (!same) throw new Error(`${id}: restored data differs from the source at T`);
    const phase = (p: string) => res.phases.find((x) => x.phase === p)?.durationMs ?? 0;
    return {
      durationMs: res.durationMs,
      filesMs: phase('restore-files'),
      replayMs: phase('replay-wal-promote'),
    };
  };

  const results: Record<Side, Array<{ durationMs: number; filesMs: number; replayMs: number }>> = {
    drkit: [],
    'drkit-no-prefetch': [],
    bare: [],
  };
  const sides: Side[] = ['drkit', 'bare', 'drkit-no-prefetch'];
  for (let i = 0; i < RUNS; i++) {
    // Rotate which side goes first, so none always runs with the warmest page cache.
    const order = sides.map((_, k) => sides[(k + i) % sides.length]!);
    for (const side of order) {
      const id = `${side.replace(/-/g, '')}${i + 1}`;
      const r =
        side === 'drkit'
          ? await viaDrkit(db, mgr, id)
          : side === 'drkit-no-prefetch'
            ? await viaDrkit(dbNoPrefetch, mgrNoPrefetch, id)
            : await bare(id);
      results[side].push(r);
      console.error(`run ${i + 1} ${side}: ${JSON.stringify(r)}`);
    }
  }

  const med = (s: Side, k: 'durationMs' | 'filesMs' | 'replayMs') =>
    median(results[s].map((r) => r[k]));
  const ratio = (a: Side, b: Side) =>
    Number((med(a, 'durationMs') / med(b, 'durationMs')).toFixed(2));
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    loadavg1mBeforeAfter: [loadBefore[0]!, os.loadavg()[0]!].map((x) => Number(x.toFixed(2))),
    rows: counts,
    pgDatabaseSize: pretty,
    walMiBToTarget: Number((walToT / 2 ** 20).toFixed(1)),
    results,
    ratioDrkitOverBare: ratio('drkit', 'bare'),
    ratioNoPrefetchOverBare: ratio('drkit-no-prefetch', 'bare'),
  };
  console.log(JSON.stringify(summary, null, 2));

  const argv = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--results' && all[i - 1] !== '--results');
  const row = (label: string, s: Side) =>
    `| ${label} | **${n(med(s, 'durationMs'))}** | ${n(med(s, 'filesMs'))} | ${n(med(s, 'replayMs'))} | ${results[s].map((r) => n(r.durationMs)).join(' / ')} |`;
  writeSection(
    args.results,
    'PostgreSQL PITR: classic path vs bare pgBackRest',
    `
Command: \`${['npx tsx bench/pitr/classic.ts', ...argv].join(' ')}\` — ${machineLine(summary.machine, summary.loadavg1mBeforeAfter)}.

Data: the sample schema (${n(counts.users)} users, ${n(counts.orders)} orders, ${n(counts.payments)} payments), \`pg_database_size\` ${pretty}, one pgBackRest full backup, then **${summary.walMiBToTarget} MiB of WAL** up to the target T (ranges of orders rewritten), then more changes. Every restore is checked against the source at T (row counts and per-row hash sums). The three sides restore the same backup to the same T, interleaved, rotating which goes first. drkit's time runs from its validation to its first write and includes sealing the source's archive; the bare side starts at \`pgbackrest restore\` with the WAL already archived and runs without archiving, so it is spared that work.

| Time to writable (median of ${RUNS}) | ms | restore files | start + replay + promote + first write | runs |
|---|---|---|---|---|
${row('drkit `restoreToTime` (restore_command with async archive-get prefetch, 256 MiB queue, 2 processes)', 'drkit')}
${row('drkit with prefetch off (`lab.walPrefetchMiB: 0`)', 'drkit-no-prefetch')}
${row('bare `pgbackrest restore --type=time` at its defaults + `pg_ctl start` + promotion + first write', 'bare')}

Ratios (time to writable): drkit / bare **${summary.ratioDrkitOverBare}×**; drkit without prefetch / bare ${summary.ratioNoPrefetchOverBare}×.
`,
  );
});
