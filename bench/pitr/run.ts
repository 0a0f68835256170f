/**
 * PostgreSQL PITR restore: time-to-writable of `PgBackRestDatabase.restoreToTime` (pgBackRest
 * full backup + archived WAL, to a time target) against the baseline `pg_dump -Fc` +
 * `pg_restore -j2` into a fresh cluster, on the same ~1 GiB database, in the same process.
 *
 *   npx tsx bench/pitr/run.ts [--runs 3] [--users 20000] [--orders-per-user 100] [--note-bytes 256]
 *     [--change-rows 10000]
 *     [--results bench/RESULTS.md]   (its '## PostgreSQL PITR restore' section is replaced)
 *
 * Starts its own clusters in a temp lab dir and removes it at the end (also on Ctrl-C).
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PgBackRestDatabase } from '../../packages/drkit/src/adapters/postgres/index.js';
import { applySchema, seedData } from '../../packages/drkit/src/lab/schema.js';
import { freePort, sleep } from '../../packages/drkit/src/util/net.js';
import { runCommand } from '../../packages/drkit/src/util/proc.js';
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
    'change-rows': { type: 'string', default: '10000' },
  },
});
const RUNS = Number(args.runs);
/** Orders inserted, and orders updated, between the backup and the target time. */
const CHANGE_ROWS = Number(args['change-rows']);
const SIZE = seedSize(args);

/** Row counts and a content hash of every table, to prove both restores hold the same data. */
const FINGERPRINT_SQL = `SELECT string_agg(t || '=' || n || '/' || s, ' ' ORDER BY t) AS f FROM (
  SELECT 'users' t, count(*) n, sum(hashtextextended(id || ':' || updated_at, 0)) s FROM users UNION ALL
  SELECT 'orders', count(*), sum(hashtextextended(id || ':' || updated_at || coalesce(note, ''), 0)) FROM orders UNION ALL
  SELECT 'payments', count(*), sum(hashtextextended(id || ':' || updated_at, 0)) FROM payments UNION ALL
  SELECT 'messages', count(*), sum(hashtextextended(id || ':' || updated_at, 0)) FROM messages) x`;

await withLab('drkit-bench-pitr-', async (labDir, mgr) => {
  const loadBefore = os.loadavg();
  const db = new PgBackRestDatabase(mgr);
  const bin = (b: string) => path.join(mgr.binDir, b);
  const conn = (id: string) => {
    const c = mgr.connectionConfig(id);
    return ['-h', c.host, '-p', String(c.port), '-U', c.user, '-d', c.database];
  };
  const fingerprint = async (id: string): Promise<string> => {
    const c = new pg.Client(mgr.connectionConfig(id));
    await c.connect();
    try {
      await c.query(`SET TIME ZONE 'UTC'`);
      return (await c.query<{ f: string }>(FINGERPRINT_SQL)).rows[0]!.f;
    } finally {
      await c.end();
    }
  };

  console.error(`seeding ${JSON.stringify(SIZE)} …`);
  await mgr.create('src', { port: await freePort() });
  const seedStart = Date.now();
  const client = new pg.Client(mgr.connectionConfig('src'));
  await client.connect();
  await applySchema(client);
  const counts = await seedData(client, SIZE);
  // Set hint bits and the visibility map now: otherwise autovacuum or the first reads do it
  // after the backup, and the restore replays a full-page image of every page.
  await client.query('VACUUM');
  await client.query('CHECKPOINT');
  await client.end();
  const [{ size, pretty } = { size: '0', pretty: '' }] = await mgr.query<{
    size: string;
    pretty: string;
  }>(
    'src',
    'SELECT pg_database_size(current_database())::text AS size, pg_size_pretty(pg_database_size(current_database())) AS pretty',
  );
  console.error(
    `seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}, pg_database_size ${pretty}`,
  );

  // Backups: pgBackRest full (the PITR side) and pg_dump -Fc (the baseline side).
  const backupStart = Date.now();
  const backup = await db.backup('src', { type: 'full' });
  const backupMs = Date.now() - backupStart;
  const repoBytes = du(path.join(mgr.layout.repoPath, 'backup', 'src'));
  console.error(
    `pgbackrest full backup ${backupMs} ms (${backup.label}, repo ${(repoBytes / 2 ** 20).toFixed(0)} MiB)`,
  );

  // Activity after the backup (new orders, and updates to a contiguous range of recent ones),
  // then the target time T, then more changes: the restore must replay WAL up to T and stop
  // there. The dump is taken at T (its snapshot is taken when it starts, before the later
  // changes), so both restores must end with the same rows.
  const lsn = async () =>
    (await mgr.query<{ l: string }>('src', 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l;
  const lsnAfterBackup = await lsn();
  await mgr.query(
    'src',
    `INSERT INTO orders (user_id, amount_cents, note) SELECT 1 + g % $1::int, g, 'after backup' FROM generate_series(1, $2::int) g`,
    [SIZE.users, CHANGE_ROWS],
  );
  await mgr.query(
    'src',
    `UPDATE orders SET status = 'paid' WHERE id > $1::bigint AND id <= $1::bigint + $2::bigint`,
    [Math.floor(counts.orders / 2), CHANGE_ROWS],
  );
  await sleep(1100);
  const [{ t: T } = { t: new Date(NaN) }] = await mgr.query<{ t: Date }>(
    'src',
    'SELECT clock_timestamp() AS t',
  );
  const [{ bytes: walBytesToT } = { bytes: '0' }] = await mgr.query<{ bytes: string }>(
    'src',
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint::text AS bytes',
    [lsnAfterBackup],
  );
  const atT = await fingerprint('src');
  const dumpFile = path.join(labDir, 'src.dump');
  const dumpStart = Date.now();
  const dump = await runCommand([bin('pg_dump'), '-Fc', '-f', dumpFile, ...conn('src')], {
    timeoutMs: 3_600_000,
  });
  if (dump.code !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
  const dumpMs = Date.now() - dumpStart;
  const dumpBytes = statSync(dumpFile).size;
  console.error(`pg_dump -Fc ${dumpMs} ms (${(dumpBytes / 2 ** 20).toFixed(0)} MiB)`);
  await mgr.query('src', `UPDATE orders SET status = 'shipped' WHERE id % 100 = 2`);
  if ((await fingerprint('src')) === atT)
    throw new Error('the changes after T did not change the data');

  const pitr: Array<{
    durationMs: number;
    phases: ReadonlyArray<{ phase: string; durationMs: number }>;
  }> = [];
  const base: Array<{
    durationMs: number;
    createMs: number;
    pgRestoreMs: number;
    firstWriteMs: number;
  }> = [];
  for (let i = 1; i <= RUNS; i++) {
    // Alternate which side goes first, so neither always runs with the warmer page cache.
    const order = i % 2 === 1 ? ['pitr', 'dump'] : ['dump', 'pitr'];
    for (const side of order) {
      if (side === 'pitr') {
        const id = `pitr${i}`;
        const res = await db.restoreToTime({ source: 'src', target: T, newClusterId: id });
        if ((await fingerprint(id)) !== atT)
          throw new Error(`${id}: restored data differs from the source at T`);
        pitr.push({ durationMs: res.durationMs, phases: res.phases });
        console.error(
          `run ${i} PITR restoreToTime: ${res.durationMs} ms to writable ${JSON.stringify(res.phases)}`,
        );
        await mgr.destroy(id);
      } else {
        const id = `dump${i}`;
        const t0 = Date.now();
        await mgr.create(id, { port: await freePort(), stanza: false });
        const createMs = Date.now() - t0;
        const r = await runCommand(
          [bin('pg_restore'), '-j', '2', '--exit-on-error', ...conn(id)].concat(dumpFile),
          { timeoutMs: 3_600_000 },
        );
        if (r.code !== 0) throw new Error(`pg_restore failed: ${r.stderr}`);
        const pgRestoreMs = Date.now() - t0 - createMs;
        await mgr.query(
          id,
          'create temporary table drkit_write_probe(x int); insert into drkit_write_probe values (1)',
        );
        const durationMs = Date.now() - t0;
        if ((await fingerprint(id)) !== atT)
          throw new Error(`${id}: restored data differs from the source at T`);
        base.push({
          durationMs,
          createMs,
          pgRestoreMs,
          firstWriteMs: durationMs - createMs - pgRestoreMs,
        });
        console.error(
          `run ${i} initdb+start ${createMs} ms + pg_restore -j2 ${pgRestoreMs} ms = ${durationMs} ms to writable`,
        );
        await mgr.destroy(id);
      }
    }
  }

  const pitrMed = median(pitr.map((r) => r.durationMs));
  const baseMed = median(base.map((r) => r.durationMs));
  const phaseNames = pitr[0]!.phases.map((p) => p.phase);
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    loadavg1mBeforeAfter: [loadBefore[0]!, os.loadavg()[0]!].map((x) => Number(x.toFixed(2))),
    runs: RUNS,
    seed: SIZE,
    rows: counts,
    pgDatabaseSizeBytes: Number(size),
    pgDatabaseSize: pretty,
    changesAfterBackup: {
      insertedOrders: CHANGE_ROWS,
      updatedOrders: CHANGE_ROWS,
      walBytesToT: Number(walBytesToT),
    },
    backup: { pgbackrestFullMs: backupMs, repoBytes, pgDumpFcMs: dumpMs, dumpBytes },
    pitr: {
      medianMs: pitrMed,
      runsMs: pitr.map((r) => r.durationMs),
      medianPhasesMs: Object.fromEntries(
        phaseNames.map((n) => [
          n,
          median(pitr.map((r) => r.phases.find((p) => p.phase === n)?.durationMs ?? 0)),
        ]),
      ),
    },
    dumpRestore: {
      medianMs: baseMed,
      runsMs: base.map((r) => r.durationMs),
      medianCreateMs: median(base.map((r) => r.createMs)),
      medianPgRestoreMs: median(base.map((r) => r.pgRestoreMs)),
    },
    ratioDumpRestoreOverPitr: Number((baseMed / pitrMed).toFixed(2)),
  };
  console.log(JSON.stringify(summary, null, 2));

  const mib = (b: number) => `${n(b / 2 ** 20)} MiB`;
  const phases = Object.entries(summary.pitr.medianPhasesMs);
  const argv = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--results' && all[i - 1] !== '--results');
  writeSection(
    args.results,
    'PostgreSQL PITR restore',
    `
Command: \`${['npx tsx bench/pitr/run.ts', ...argv].join(' ')}\` — ${machineLine(summary.machine, summary.loadavg1mBeforeAfter)}.

Data: the sample schema seeded with \`seedData\` — ${n(counts.users)} users, ${n(counts.orders)} orders (${SIZE.orderNoteBytes}-byte notes), ${n(counts.payments)} payments, ${n(counts.messages)} messages; \`pg_database_size\` **${pretty}** (${n(Number(size))} bytes); VACUUMed and checkpointed before the backup. After the full backup: ${n(CHANGE_ROWS)} orders inserted and ${n(CHANGE_ROWS)} updated (${mib(Number(walBytesToT))} of WAL up to T), then the target time T, then more updates. Both restores are checked against the source at T (row counts and per-row hash sums of all four tables). The seed's notes are repeated md5 text and compress far better than real data (pgBackRest repo ${mib(repoBytes)}, dump ${mib(dumpBytes)}). Both sides run interleaved in one process, alternating which goes first.

| Time to writable (median of ${RUNS}) | ms | runs |
|---|---|---|
| PITR: \`PgBackRestDatabase.restoreToTime({ target: T })\` | **${n(pitrMed)}** | ${pitr.map((r) => n(r.durationMs)).join(' / ')} |
| Baseline: initdb + start + \`pg_restore -j2\` of a \`pg_dump -Fc\` taken at T | **${n(baseMed)}** | ${base.map((r) => n(r.durationMs)).join(' / ')} |
| Ratio baseline / PITR | **${summary.ratioDumpRestoreOverPitr}×** | |

PITR phases (median ms): ${phases
      .filter(([p]) => p !== 'new-stanza')
      .map(([p, ms]) => `${p} ${n(ms)}`)
      .join(
        ' · ',
      )} (then new-stanza ${n(summary.pitr.medianPhasesMs['new-stanza'] ?? 0)}, after the server is writable, not counted). Baseline: initdb + start ${n(summary.dumpRestore.medianCreateMs)}, \`pg_restore -j2\` ${n(summary.dumpRestore.medianPgRestoreMs)}.

Backups, for context (one each): pgBackRest full backup ${n(backupMs)} ms (repo ${mib(repoBytes)}) vs \`pg_dump -Fc\` ${n(dumpMs)} ms (${mib(dumpBytes)}) — ${(dumpMs / backupMs).toFixed(1)}×. WAL replay runs one \`pgbackrest archive-get\` per 16 MiB segment, synchronously (\`archive-async\` with a get queue would prefetch; not measured).
`,
  );
});

/** Bytes of regular files below `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
