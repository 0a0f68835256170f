import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DependencyMissingError,
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
  UsageError,
} from '../../engine/errors.js';
import type { RestoreRequest } from '../../ports/database.js';
import { freePort, sleep } from '../../util/net.js';
import { PgBackRestDatabase } from './pgbackrest-database.js';
import { PgClusterManager } from './pg-cluster-manager.js';
import { parseRestoreTarget } from '../../util/restore-target.js';

describe('restoreToTime guardrails (real PostgreSQL 15 + pgBackRest)', () => {
  let labDir: string;
  let mgr: PgClusterManager;
  let db: PgBackRestDatabase;
  let listener: net.Server | undefined;

  /** The world a refused restore must leave alone: registry bytes, cluster dirs, repo stanzas. */
  const snapshot = () => ({
    registry: readFileSync(mgr.layout.registryFile, 'utf8'),
    clusters: readdirSync(mgr.layout.clustersDir).sort(),
    stanzas: readdirSync(path.join(mgr.layout.repoPath, 'backup')).sort(),
    pgbackrestConf: readFileSync(mgr.layout.pgbackrestConfig, 'utf8'),
  });

  /** Expects `req` to be refused with `cls`/`code` and a message matching `msg`, changing nothing. */
  async function expectRefused(
    req: RestoreRequest,
    cls: new (...a: never[]) => DrError,
    code: string,
    msg: RegExp,
    using: PgBackRestDatabase = db,
  ): Promise<DrError> {
    const before = snapshot();
    const dirExisted = existsSync(mgr.clusterDir(req.newClusterId));
    const err = await using.restoreToTime(req).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(cls);
    const e = err as DrError;
    expect(e.code).toBe(code);
    expect(e.message).toMatch(msg);
    expect(e.hint).toBeTruthy();
    expect(snapshot()).toEqual(before);
    expect(existsSync(mgr.clusterDir(req.newClusterId))).toBe(dirExisted);
    return e;
  }

  beforeAll(async () => {
    labDir = mkdtempSync('/tmp/drkit-guard-');
    chmodSync(labDir, 0o755);
    mgr = new PgClusterManager({ labDir });
    db = new PgBackRestDatabase(mgr);
    await mgr.create('src', { port: await freePort() });
    await mgr.query('src', 'create table t(id int)');
    await db.backup('src');
    // pgBackRest stamps backups in whole seconds: the window opens 1 s after the stop.
    await sleep(1100);
    await mgr.query('src', 'insert into t values (1)');
    // A registered cluster whose stanza was never created in the repository.
    mgr.register({
      ...mgr.get('src'),
      id: 'ghost',
      stanza: 'ghost',
      ownsStanza: true,
      port: await freePort(),
      dataDir: path.join(labDir, 'nowhere'),
    });
  });

  afterAll(async () => {
    listener?.close();
    if (mgr?.registry.get('src') && mgr.isRunning('src'))
      await mgr.stop('src', 'immediate').catch(() => undefined);
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('refuses a target before the earliest backup, printing the window', async () => {
    const w = await db.recoverableWindow('src');
    const e = await expectRefused(
      { source: 'src', target: new Date(w.earliest.getTime() - 60_000), newClusterId: 'r1' },
      OutOfWindowError,
      'OUT_OF_WINDOW',
      /before the earliest backup .*recoverable window: \d{4}-.*Z … \d{4}-.*Z/,
    );
    expect(e.message).toContain(w.earliest.toISOString());
  });

  it('refuses a target in the future', async () => {
    await expectRefused(
      { source: 'src', target: new Date(Date.now() + 3600_000), newClusterId: 'r1' },
      OutOfWindowError,
      'OUT_OF_WINDOW',
      /after the latest recoverable time .*recoverable window/,
    );
  });

  it('refuses malformed timestamps (parser) and invalid Dates (adapter)', async () => {
    expect(() => parseRestoreTarget('2024-05-01 10:00:00')).toThrow(UsageError);
    expect(() => parseRestoreTarget('next tuesday')).toThrow(
      /malformed restore target 'next tuesday'/,
    );
    await expectRefused(
      { source: 'src', target: new Date('garbage'), newClusterId: 'r1' },
      UsageError,
      'USAGE',
      /invalid Date/,
    );
  });

  it('refuses an unknown source and an unknown stanza', async () => {
    await expectRefused(
      { source: 'nope', target: 'latest', newClusterId: 'r1' },
      NotFoundError,
      'NOT_FOUND',
      /unknown cluster 'nope'/,
    );
    await expectRefused(
      { source: 'ghost', target: 'latest', newClusterId: 'r1' },
      NotFoundError,
      'NOT_FOUND',
      /stanza 'ghost' does not exist/,
    );
  });

  it('refuses an existing cluster id or an existing directory', async () => {
    await expectRefused(
      { source: 'src', target: 'latest', newClusterId: 'src' },
      PreconditionError,
      'PRECONDITION',
      /cluster 'src' already exists/,
    );
    mkdirSync(mgr.clusterDir('leftover'));
    await expectRefused(
      { source: 'src', target: 'latest', newClusterId: 'leftover' },
      PreconditionError,
      'PRECONDITION',
      /directory of cluster 'leftover' already exists/,
    );
    rmSync(mgr.clusterDir('leftover'), { recursive: true });
  });

  it('refuses a port in use (by a registered cluster or any other listener)', async () => {
    const srcPort = mgr.get('src').port;
    await expectRefused(
      { source: 'src', target: 'latest', newClusterId: 'r1', port: srcPort },
      PreconditionError,
      'PRECONDITION',
      new RegExp(`port ${srcPort} is in use`),
    );
    const port = await freePort();
    listener = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => listener!.once('listening', r));
    await expectRefused(
      { source: 'src', target: 'latest', newClusterId: 'r1', port },
      PreconditionError,
      'PRECONDITION',
      new RegExp(`port ${port} is in use`),
    );
  });

  it('refuses when the pgBackRest binary is missing', async () => {
    const noBr = new PgBackRestDatabase(
      new PgClusterManager({ labDir, pgbackrestBin: '/nonexistent/pgbackrest' }),
    );
    await expectRefused(
      { source: 'src', target: 'latest', newClusterId: 'r1' },
      DependencyMissingError,
      'DEPENDENCY_MISSING',
      /pgBackRest is not installed \(looked for \/nonexistent\/pgbackrest\)/,
      noBr,
    );
  });

  it('refuses when the running source cannot archive, sealed during the file restore, leaving nothing', async () => {
    await mgr.query('src', `alter system set archive_command = 'false'`);
    await mgr.query('src', 'select pg_reload_conf()');
    try {
      await expectRefused(
        { source: 'src', target: 'latest', newClusterId: 'r-unsealed' },
        PreconditionError,
        'PRECONDITION',
        /WAL archiving of cluster 'src' is failing/,
      );
    } finally {
      await mgr.query('src', 'alter system reset archive_command');
      await mgr.query('src', 'select pg_reload_conf()');
    }
  });

  it('still restores when asked properly (the guardrails did not break the happy path)', async () => {
    const res = await db.restoreToTime({ source: 'src', target: 'latest', newClusterId: 'r1' });
    expect(await mgr.query('r1', 'select id from t')).toEqual([{ id: 1 }]);
    expect(res.cluster.status).toBe('running');
    await mgr.stop('r1', 'immediate');
  });
});
