import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sleep } from '../../util/net.js';
import { PgBackRestDatabase } from './pgbackrest-database.js';
import { PgClusterManager } from './pg-cluster-manager.js';
import { sealArchive } from './recovery-window.js';

/** sha256 of every file below `dir` (path, mode, content), sorted: a byte-for-byte fingerprint. */
function fingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        out.set(
          path.relative(dir, p),
          `${st.mode.toString(8)}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`,
        );
      }
    }
  };
  walk(dir);
  return out;
}

const ROWS_SQL = `select count(*)::int as n, md5(coalesce(string_agg(id || ':' || v, ',' order by id), '')) as h from items`;

describe('PITR with pgBackRest (real PostgreSQL 15 + pgBackRest)', () => {
  let labDir: string;
  let mgr: PgClusterManager;
  let db: PgBackRestDatabase;
  const log: string[] = [];

  beforeAll(async () => {
    labDir = mkdtempSync('/tmp/drkit-pitr-');
    chmodSync(labDir, 0o755); // mkdtemp makes 700 root dirs; the postgres user must traverse it
    mgr = new PgClusterManager({ labDir, archiveTimeoutSec: 10, log: (l) => log.push(l) });
    db = new PgBackRestDatabase(mgr);
    await mgr.create('src', { port: await freePort() });
    await mgr.query('src', 'create table items(id int primary key, v text not null)');
    await mgr.query('src', `insert into items select g, 'v' || g from generate_series(1, 100) g`);
    await db.backup('src', { type: 'full' });
  });

  afterAll(async () => {
    for (const c of mgr?.list() ?? []) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('restores exactly the rows at T into a new cluster and leaves the source byte-for-byte untouched', async () => {
    await mgr.query('src', `insert into items select g, 'v' || g from generate_series(101, 200) g`);
    await sleep(1000);
    const [tRow] = await mgr.query<{ t: Date }>('src', 'select clock_timestamp() as t');
    const T = tRow!.t;
    const [atT] = await mgr.query<{ n: number; h: string }>('src', ROWS_SQL);
    await sleep(1000);
    await mgr.query('src', `insert into items select g, 'v' || g from generate_series(201, 300) g`);
    await mgr.query('src', 'delete from items where id <= 50');
    await mgr.query('src', `update items set v = 'changed' where id between 60 and 70`);
    const [afterChanges] = await mgr.query<{ n: number; h: string }>('src', ROWS_SQL);
    expect(afterChanges!.h).not.toBe(atT!.h);

    // Archive everything, then stop the source so its files can be fingerprinted honestly.
    await sealArchive(mgr, 'src');
    await mgr.stop('src', 'fast');
    const srcData = mgr.get('src').dataDir;
    const repo = mgr.layout.repoPath;
    const before = {
      data: fingerprint(srcData),
      archive: fingerprint(path.join(repo, 'archive', 'src')),
      backup: fingerprint(path.join(repo, 'backup', 'src')),
    };

    const window = await db.recoverableWindow('src');
    expect(window.earliest.getTime()).toBeLessThan(T.getTime());
    expect(window.latest.getTime()).toBeGreaterThan(T.getTime());

    const phases: string[] = [];
    const res = await db.restoreToTime({
      source: 'src',
      target: T,
      newClusterId: 'pitr1',
      onProgress: (p) => phases.push(p.phase),
    });
    console.log('PITR restore', { durationMs: res.durationMs, phases: res.phases, window });

    expect(res.restoredTo).toEqual(T);
    expect(res.cluster.role).toBe('primary');
    expect(res.phases.map((p) => p.phase)).toEqual([
      'validate',
      'restore-files',
      'configure',
      'replay-wal-promote',
      'first-write',
      'new-stanza',
    ]);
    expect(new Set(phases)).toContain('restore-files');
    const [restored] = await mgr.query<{ n: number; h: string }>('pitr1', ROWS_SQL);
    expect(restored).toEqual(atT);
    expect(restored!.n).toBe(200);
    const [rec] = await mgr.query<{ r: boolean }>('pitr1', 'select pg_is_in_recovery() as r');
    expect(rec!.r).toBe(false);

    // The new cluster has its own port, and archives into its own stanza, never the source's.
    const conf = readFileSync(path.join(mgr.get('pitr1').dataDir, 'drkit.conf'), 'utf8');
    expect(conf).toContain(`port = ${mgr.get('pitr1').port}`);
    const setting = (name: string) =>
      conf.split('\n').find((l) => l.startsWith(`${name} = `)) ?? '';
    expect(setting('archive_command')).toContain('--stanza=pitr1');
    expect(setting('archive_command')).not.toContain('--stanza=src');
    // It read the source's WAL with prefetch, from its own spool and lock directories.
    expect(setting('restore_command')).toContain('--stanza=src');
    expect(setting('restore_command')).toContain('--archive-async=y');
    expect(setting('restore_command')).toContain(
      `--spool-path=${path.join(labDir, 'clusters', 'pitr1')}`,
    );
    const autoConf = readFileSync(
      path.join(mgr.get('pitr1').dataDir, 'postgresql.auto.conf'),
      'utf8',
    );
    expect(autoConf).not.toMatch(/^restore_command/m);
    expect((await mgr.pgbackrest.info('pitr1')).statusCode).toBe(2); // exists, no backup yet

    // The source: every byte of its data directory, backups and WAL archive is unchanged.
    expect(fingerprint(srcData)).toEqual(before.data);
    expect(fingerprint(path.join(repo, 'archive', 'src'))).toEqual(before.archive);
    expect(fingerprint(path.join(repo, 'backup', 'src'))).toEqual(before.backup);
    expect(mgr.isRunning('src')).toBe(false);

    // And it still starts with all its changes.
    await mgr.start('src');
    expect((await mgr.query('src', ROWS_SQL))[0]).toEqual(afterChanges);
  });

  it("restores 'latest' from a running source, including a write made just before", async () => {
    await mgr.query('src', `insert into items values (1000, 'just-before')`);
    const res = await db.restoreToTime({
      source: 'src',
      target: 'latest',
      newClusterId: 'latest1',
    });
    console.log('latest restore', { durationMs: res.durationMs, phases: res.phases });
    const rows = await mgr.query<{ v: string }>('latest1', 'select v from items where id = 1000');
    expect(rows).toEqual([{ v: 'just-before' }]);
    expect(res.phases.map((p) => p.phase)).toContain('seal-archive');
    expect(mgr.get('latest1').port).not.toBe(mgr.get('src').port);
  });

  it('lists backups and describes clusters', async () => {
    const backups = await db.listBackups('src');
    expect(backups).toHaveLength(1);
    expect(backups[0]!.type).toBe('full');
    const d = await db.describe('pitr1');
    expect(d).toMatchObject({ id: 'pitr1', status: 'running', role: 'primary' });
    expect(d.details.origin).toMatch(/^restore:src@/);
    expect(
      log.some(
        (l) => l.includes('restore') && l.includes('--type=time') && l.includes('--pg1-path='),
      ),
    ).toBe(true);
  });
});
