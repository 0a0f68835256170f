import path from 'node:path';
import pg from 'pg';
import { PgBackRestDatabase, PgClusterManager } from '../adapters/postgres/index.js';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import type { DrkitConfig } from '../config/schema.js';
import type { Endpoint } from '../ports/database.js';

/** Paths of one lab below the state directory. */
export interface LabPaths {
  readonly stateDir: string;
  readonly labDir: string;
  readonly secretsDir: string;
  readonly journalDir: string;
  readonly notificationsFile: string;
  readonly labFile: string;
  readonly workDir: string;
}

export function labPaths(config: DrkitConfig, baseDir: string): LabPaths {
  const stateDir = path.resolve(baseDir, config.stateDir);
  const labDir = path.join(stateDir, 'lab');
  return {
    stateDir,
    labDir,
    secretsDir: path.join(stateDir, 'secrets'),
    journalDir: path.join(stateDir, 'journal'),
    notificationsFile: path.join(stateDir, 'notifications.jsonl'),
    labFile: path.join(stateDir, 'lab.json'),
    workDir: path.join(stateDir, 'work'),
  };
}

/** The lab's adapters, bound from config (provider: lab). */
export interface LabProvider {
  readonly paths: LabPaths;
  readonly clusters: PgClusterManager;
  readonly database: PgBackRestDatabase;
  readonly secrets: FileSecrets;
  readonly notifier: LogNotifier;
  readonly connect: (ep: Endpoint) => Promise<pg.Client>;
}

/** Connects to a lab endpoint (trust auth on loopback; no password ever). */
export async function connectEndpoint(ep: Endpoint): Promise<pg.Client> {
  const c = new pg.Client({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    database: ep.database,
    connectionTimeoutMillis: 5000,
  });
  await c.connect();
  return c;
}

export function labProvider(
  config: DrkitConfig,
  baseDir: string,
  opts: { log?: (line: string) => void; echo?: (line: string) => void } = {},
): LabProvider {
  const paths = labPaths(config, baseDir);
  const clusters = new PgClusterManager({
    labDir: paths.labDir,
    binDir: config.lab.pgBinDir,
    pgbackrestBin: config.lab.pgbackrestBin,
    archiveTimeoutSec: config.lab.archiveTimeoutSeconds,
    pgbackrest: {
      retentionFull: config.lab.retentionFull,
      archiveGetQueueMaxMiB: config.lab.walPrefetchMiB,
      archiveGetProcessMax: config.lab.walPrefetchProcesses,
    },
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    paths,
    clusters,
    database: new PgBackRestDatabase(clusters),
    secrets: new FileSecrets(paths.secretsDir),
    notifier: new LogNotifier(paths.notificationsFile, opts.echo),
    // as the clusters' superuser: the app's own login role (after a rotation) needs its
    // password, which runbooks never hold; the database and host are the endpoint's
    connect: (ep) => connectEndpoint({ ...ep, user: clusters.superuser }),
  };
}
