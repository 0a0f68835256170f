import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  openSync,
  closeSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostureCheck, PosturePolicy } from '../../ports/posture.js';
import { freePort, sleep } from '../../util/net.js';
import { PgClusterManager } from './pg-cluster-manager.js';
import { PgBackRestDatabase } from './pgbackrest-database.js';
import { pgBackRestMetrics } from './pgbackrest-metrics.js';
import { pgBackRestPosture } from './pgbackrest-posture.js';

/** `drkit verify`'s PostgreSQL checks on real PostgreSQL 15 + pgBackRest 2.45, each fault planted. */
let labDir: string;
let mgr: PgClusterManager;
let db: PgBackRestDatabase;
const healthy: PosturePolicy = { maxBackupAgeHours: 1, minWindowDays: 0, rpoTargetSeconds: 300 };
const run = (policy: PosturePolicy = healthy) =>
  pgBackRestPosture(mgr, db, 'src', policy, { archiveTimeoutSeconds: 5 });
const byId = (checks: PostureCheck[], id: string) => checks.filter((c) => c.id === id);
const gauge = async (name: string) =>
  (await pgBackRestMetrics(mgr, db, ['src'])).filter((m) => m.name === name).map((m) => m.value);
const statusOf = (checks: PostureCheck[], id: string) => byId(checks, id).map((c) => c.status);

beforeAll(async () => {
  labDir = mkdtempSync('/tmp/drkit-posture-');
  chmodSync(labDir, 0o755); // the postgres OS user must traverse it when tests run as root
  mgr = new PgClusterManager({ labDir });
  db = new PgBackRestDatabase(mgr);
  await mgr.create('src', { port: await freePort() });
  await mgr.query('src', 'create table t(id int)');
  await db.backup('src');
  await sleep(1100); // the window opens 1 s after the backup's stop (whole seconds)
  await mgr.query('src', 'insert into t select generate_series(1, 1000)');
  await mgr.query('src', 'select pg_switch_wal()');
  await sleep(1500);
}, 180_000);

afterAll(async () => {
  for (const c of mgr?.list() ?? []) await mgr.destroy(c.id).catch(() => undefined);
  if (labDir) rmSync(labDir, { recursive: true, force: true });
});

describe('pgBackRest posture', () => {
  it('passes on a healthy cluster, the repository system id read exactly beyond 2^53', async () => {
    const checks = await run();
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    const [sys] = byId(checks, 'pgbackrest.system-id');
    const [row] = await mgr.query<{ id: string }>(
      'src',
      'select system_identifier::text as id from pg_control_system()',
    );
    expect(BigInt(row!.id) > 2n ** 53n).toBe(true);
    expect(sys!.value).toBe(`repository ${row!.id}, server ${row!.id}`);
    expect(statusOf(checks, 'pgbackrest.verify')).toEqual(['pass']);
    expect(statusOf(checks, 'replication.lag')).toEqual(['warn']); // no standby here
  }, 120_000);

  it('exports the live recovery-point gauges, each read afresh, none for a standby that is not there', async () => {
    const samples = await pgBackRestMetrics(mgr, db, ['src']);
    const names = samples.map((m) => m.name);
    expect(names).toEqual([
      'drkit_archive_last_success_age_seconds',
      'drkit_archive_failing',
      'drkit_archive_failed_count',
      'drkit_newest_backup_age_seconds',
      'drkit_newest_restorable_age_seconds',
      'drkit_recoverable_window_seconds',
    ]);
    expect(await gauge('drkit_archive_failing')).toEqual([0]);
    const [backupAge] = await gauge('drkit_newest_backup_age_seconds');
    expect(backupAge).toBeGreaterThan(0);
    expect(backupAge).toBeLessThan(600);
    // a cluster that is not there: the families are absent and an error gauge says which
    const missing = await pgBackRestMetrics(mgr, db, ['nope']);
    expect(missing.map((m) => [m.name, m.labels['family'], m.value])).toEqual([
      ['drkit_metric_errors', 'archive', 1],
      ['drkit_metric_errors', 'backup', 1],
      ['drkit_metric_errors', 'window', 1],
      ['drkit_metric_errors', 'replication', 1],
    ]);
  }, 120_000);

  it('fails a backup older than the policy and a window shorter than the minimum, naming both', async () => {
    const checks = await run({
      maxBackupAgeHours: 0.0001,
      minWindowDays: 7,
      rpoTargetSeconds: 300,
    });
    expect(byId(checks, 'backup.age')[0]).toMatchObject({
      status: 'fail',
      reason: 'policy: at most 0.0001 h',
    });
    expect(byId(checks, 'recovery.window')[0]).toMatchObject({
      status: 'fail',
      reason: 'policy: at least 7 days (one release cycle)',
    });
  }, 120_000);

  it('fails archiving while archive_command fails, and passes again once it is fixed', async () => {
    await mgr.query('src', "alter system set archive_command = 'false'");
    await mgr.query('src', 'select pg_reload_conf()');
    await mgr.query('src', 'insert into t values (1)');
    await mgr.query('src', 'select pg_switch_wal()');
    for (let i = 0; i < 50; i++) {
      const [a] = await mgr.query<{ n: string }>(
        'src',
        'select failed_count::text as n from pg_stat_archiver',
      );
      if (Number(a!.n) > 0) break;
      await sleep(200);
    }
    const broken = await run();
    expect(byId(broken, 'archiving')[0]).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/archiving is failing.*archive_command: false/),
    });
    expect(statusOf(broken, 'pgbackrest.check')).toEqual(['fail']);
    expect(await gauge('drkit_archive_failing')).toEqual([1]);
    expect((await gauge('drkit_archive_failed_count'))[0]).toBeGreaterThan(0);

    await mgr.query('src', 'alter system reset archive_command');
    await mgr.query('src', 'select pg_reload_conf()');
    await mgr.query('src', 'select pg_switch_wal()');
    let healed: PostureCheck[] = [];
    for (let i = 0; i < 30; i++) {
      healed = await run();
      if (statusOf(healed, 'archiving')[0] !== 'fail') break;
      await sleep(1000);
    }
    expect(statusOf(healed, 'archiving')).toEqual(['warn']); // works now, failed before
    expect(statusOf(healed, 'pgbackrest.check')).toEqual(['pass']);
  }, 240_000);

  it('fails verify on a corrupted WAL segment in the repository although pgBackRest exits 0', async () => {
    const dir = path.join(
      labDir,
      'pgbackrest',
      'repo',
      'archive',
      'src',
      '15-1',
      '0000000100000000',
    );
    const segs = readdirSync(dir)
      .filter((f) => /^[0-9A-F]{24}-[0-9a-f]{40}/.test(f))
      .sort();
    const victim = segs.at(-1)!;
    const fd = openSync(path.join(dir, victim), 'r+');
    writeSync(fd, Buffer.from('not what was archived'), 0, 21, 64);
    closeSync(fd);
    const checks = await run();
    const [v] = byId(checks, 'pgbackrest.verify');
    expect(v).toMatchObject({
      status: 'fail',
      value: expect.stringContaining(victim.slice(0, 24)),
    });
    expect(v!.reason).toMatch(/pgBackRest exits 0 regardless/);
    expect(v!.reason).toContain(`no recovery past ${victim.slice(0, 24)}`);
  }, 120_000);
});
