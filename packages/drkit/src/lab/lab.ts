import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { NotFoundError, PreconditionError } from '../engine/errors.js';
import type { DrkitConfig } from '../config/schema.js';
import { freePort } from '../util/net.js';
import { readAppConfig, writeAppConfig, APP_CONFIG_SECRET } from './app-config.js';
import { labUpCache } from './cache-lab.js';
import type { LabProvider } from './provider.js';
import type { DelayedStandbyStatus } from '../ports/database.js';
import { applySchema, seedData, type SeedSize } from './schema.js';
import { reapIdleScratchClusters } from './scratch-clusters.js';

/** The lab's own record of what `lab up` built. */
export interface LabState {
  readonly primary: string;
  readonly database: string;
  readonly createdAt: string;
  readonly seeded: { users: number; orders: number; payments: number; messages: number };
}

/** Region A's primary cluster id. */
export const REGION_A_PRIMARY = 'region-a';
/** The application database inside the cluster. */
export const APP_DATABASE = 'app';

export function readLabState(p: LabProvider): LabState | undefined {
  return existsSync(p.paths.labFile)
    ? (JSON.parse(readFileSync(p.paths.labFile, 'utf8')) as LabState)
    : undefined;
}

/** Reads the lab state or says how to create it. */
export function requireLab(p: LabProvider): LabState {
  const s = readLabState(p);
  if (!s)
    throw new NotFoundError(`no lab in ${p.paths.stateDir}`, { hint: 'run `drkit lab up` first' });
  return s;
}

/**
 * `drkit lab up`: region A's primary PostgreSQL with WAL archived by pgBackRest, the sample
 * schema and seed data, a first full backup, the app's Redis cache (`lab.cache`) and the app
 * config the application reads. An
 * existing lab is started again, not rebuilt.
 */
export async function labUp(
  p: LabProvider,
  config: DrkitConfig,
  opts: { seed?: Partial<SeedSize>; progress?: (m: string) => void } = {},
): Promise<LabState> {
  const say = opts.progress ?? (() => undefined);
  const existing = readLabState(p);
  if (existing) {
    // A restore test killed before its cleanup left a scratch cluster behind.
    for (const id of await reapIdleScratchClusters(p)) say(`removed scratch cluster ${id}`);
    for (const c of p.clusters.list()) {
      if (c.id === existing.primary && !p.clusters.isRunning(c.id)) {
        say(`starting ${c.id}`);
        await p.clusters.start(c.id);
      }
    }
    await labUpCache(p, config, { progress: say });
    return existing;
  }
  if (p.clusters.list().some((c) => c.id === REGION_A_PRIMARY)) {
    throw new PreconditionError(
      `a cluster '${REGION_A_PRIMARY}' exists in ${p.paths.labDir} but the lab record is missing`,
      {
        hint: 'run `drkit lab down --destroy` to start over',
      },
    );
  }
  p.database.clusters.pgbackrest.ensureInstalled();
  const port = config.lab.basePort || (await freePort());
  say(`initdb ${REGION_A_PRIMARY} on port ${port}`);
  // create() starts the server and creates its pgBackRest stanza.
  await p.clusters.create(REGION_A_PRIMARY, { port });
  await p.clusters.query(REGION_A_PRIMARY, `CREATE DATABASE ${APP_DATABASE}`);
  const conn = p.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE);
  const client = new pg.Client(conn);
  await client.connect();
  let seeded: LabState['seeded'];
  try {
    await applySchema(client);
    say('seeding sample data');
    seeded = await seedData(client, { ...config.lab.seed, ...opts.seed });
  } finally {
    await client.end();
  }
  say('first full backup');
  await p.database.backup(REGION_A_PRIMARY, { type: 'full' });
  await writeAppConfig(p.secrets, {
    dbClusterId: REGION_A_PRIMARY,
    db: { host: conn.host, port: conn.port, database: APP_DATABASE, user: conn.user },
    global_readonly: false,
  });
  await labUpCache(p, config, { progress: say });
  const state: LabState = {
    primary: REGION_A_PRIMARY,
    database: APP_DATABASE,
    createdAt: new Date().toISOString(),
    seeded,
  };
  mkdirSync(path.dirname(p.paths.labFile), { recursive: true });
  writeFileSync(p.paths.labFile, JSON.stringify(state, null, 2));
  return state;
}

/** What `drkit lab status` shows. */
export async function labStatus(p: LabProvider): Promise<{
  lab: LabState | undefined;
  appConfig: { dbClusterId: string; port: number; global_readonly: boolean } | undefined;
  clusters: Array<{ id: string; port: number; running: boolean; role: string; origin: string }>;
  /** Delayed standbys of every running primary: delay, window protected, replay lag. */
  delayedStandbys: DelayedStandbyStatus[];
}> {
  const lab = readLabState(p);
  let appConfig;
  try {
    const c = await readAppConfig(p.secrets, APP_CONFIG_SECRET);
    appConfig = { dbClusterId: c.dbClusterId, port: c.db.port, global_readonly: c.global_readonly };
  } catch {
    appConfig = undefined;
  }
  const clusters = [];
  const delayedStandbys: DelayedStandbyStatus[] = [];
  for (const c of p.clusters.list()) {
    const d = await p.database.describe(c.id);
    if (d.role === 'primary' && d.status === 'running')
      delayedStandbys.push(...(await p.database.delayedStandbys(c.id)));
    clusters.push({
      id: c.id,
      port: c.port,
      running: d.status === 'running',
      role: d.role,
      origin: c.origin,
    });
  }
  return { lab, appConfig, clusters, delayedStandbys };
}
