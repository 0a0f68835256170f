import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { writeAppConfig } from '../../lab/app-config.js';
import { computeContract } from '../../ports/compute.contract.js';
import { freePort } from '../../util/net.js';
import { FileSecrets } from '../file-secrets/file-secrets.js';
import { PgBackRestDatabase } from '../postgres/pgbackrest-database.js';
import { PgClusterManager } from '../postgres/pg-cluster-manager.js';
import { LabCompute, probeHealth, type TaskSlot } from './lab-compute.js';

/**
 * The Compute contract on the lab's processes: the built sample app (`dist/app/server-main.js`)
 * in two slots of region a, reading its database endpoint from a FileSecrets directory and
 * healthy once real PostgreSQL answers.
 */
let dir: string;
let mgr: PgClusterManager;
let compute: LabCompute | undefined;
let slots: TaskSlot[];

beforeAll(async () => {
  dir = mkdtempSync('/tmp/drkit-compute-contract-');
  chmodSync(dir, 0o755); // the postgres OS user must traverse it when tests run as root
  mgr = new PgClusterManager({ labDir: path.join(dir, 'lab') });
  await mgr.create('app', { port: await freePort() });
  const secretsDir = path.join(dir, 'secrets');
  await writeAppConfig(new FileSecrets(secretsDir), {
    dbClusterId: 'app',
    db: (await new PgBackRestDatabase(mgr).describe('app')).endpoint,
    global_readonly: false,
  });
  slots = [
    { id: 'a-1', region: 'a', port: await freePort() },
    { id: 'a-2', region: 'a', port: await freePort() },
  ];
  compute = new LabCompute(path.join(dir, 'tasks'), secretsDir, slots);
}, 180_000);

afterAll(async () => {
  await compute?.stopAll();
  if (mgr?.registry.get('app')) await mgr.destroy('app').catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

computeContract('LabCompute (app processes, PostgreSQL 15)', () => ({
  compute: compute!,
  region: 'a',
  // a task runs when something answers on its slot's port
  async running(region) {
    const up = await Promise.all(
      slots
        .filter((s) => s.region === region)
        .map(async (s) => (await probeHealth(`127.0.0.1:${s.port}`)) !== undefined),
    );
    return up.filter(Boolean).length;
  },
  timeoutMs: 30_000,
}));
