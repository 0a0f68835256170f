import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreconditionError } from '../../engine/errors.js';
import { freePort, waitFor } from '../../util/net.js';
import { PgBackRestDatabase } from './pgbackrest-database.js';
import { PgClusterManager } from './pg-cluster-manager.js';

describe('standby and promote (real PostgreSQL 15 + pgBackRest)', () => {
  let labDir: string;
  let mgr: PgClusterManager;
  let db: PgBackRestDatabase;

  beforeAll(async () => {
    labDir = mkdtempSync('/tmp/drkit-standby-');
    chmodSync(labDir, 0o755);
    mgr = new PgClusterManager({ labDir });
    db = new PgBackRestDatabase(mgr);
    await mgr.create('a', { port: await freePort() });
    await mgr.query('a', 'create table t(id int)');
    await db.backup('a');
  });

  afterAll(async () => {
    for (const c of mgr?.list() ?? []) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('builds a streaming standby, then promotes it after the primary is killed', async () => {
    const t0 = Date.now();
    const info = await db.createStandby('a', 'b');
    console.log('standby ready in', Date.now() - t0, 'ms');
    expect(info).toMatchObject({ id: 'b', role: 'standby', status: 'running' });
    await mgr.query('a', 'insert into t values (42)');
    await waitFor(
      async () => (await mgr.query('b', 'select count(*)::int as n from t'))[0]?.n === 1,
      {
        timeoutMs: 10_000,
        what: 'the row to stream to b',
      },
    );
    await expect(db.createStandby('a', 'b')).rejects.toBeInstanceOf(PreconditionError);

    await mgr.kill('a');
    expect(mgr.isRunning('a')).toBe(false);
    const { durationMs } = await db.promote('b');
    console.log('promote took', durationMs, 'ms');
    await mgr.query('b', 'insert into t values (43)');
    expect((await db.describe('b')).role).toBe('primary');
    expect(mgr.get('b').role).toBe('primary');
  });
});
