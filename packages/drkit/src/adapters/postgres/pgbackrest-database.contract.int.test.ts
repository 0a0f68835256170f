import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { databaseContract } from '../../ports/database.contract.js';
import { freePort, sleep } from '../../util/net.js';
import { PgClusterManager } from './pg-cluster-manager.js';
import { PgBackRestDatabase } from './pgbackrest-database.js';

/** The Database contract on real PostgreSQL 15 with WAL archived and backed up by pgBackRest. */
let labDir: string;
let mgr: PgClusterManager;

beforeAll(async () => {
  labDir = mkdtempSync('/tmp/drkit-db-contract-');
  chmodSync(labDir, 0o755); // the postgres OS user must traverse it when tests run as root
  mgr = new PgClusterManager({ labDir });
  await mgr.create('src', { port: await freePort() });
  await mgr.query('src', 'create table t(id int)');
  await new PgBackRestDatabase(mgr).backup('src');
  // pgBackRest stamps backups in whole seconds: the window opens 1 s after the stop
  await sleep(1100);
  await mgr.query('src', 'insert into t values (1)');
}, 180_000);

afterAll(async () => {
  for (const c of mgr?.list() ?? []) await mgr.destroy(c.id).catch(() => undefined);
  if (labDir) rmSync(labDir, { recursive: true, force: true });
});

databaseContract(
  'PgBackRestDatabase (PostgreSQL 15 + pgBackRest)',
  () => ({
    db: new PgBackRestDatabase(mgr),
    source: 'src',
  }),
  { restoreTimeoutMs: 180_000 },
);
