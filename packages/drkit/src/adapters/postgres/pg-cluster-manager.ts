import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  DependencyMissingError,
  DrError,
  NotFoundError,
  PreconditionError,
  UsageError,
} from '../../engine/errors.js';
import { portInUse, sleep } from '../../util/net.js';
import { isExecutable, isRoot, lookupUser, runCommand } from '../../util/proc.js';
import {
  ClusterRegistry,
  pgLayout,
  type ClusterRecord,
  type PgLayout,
} from './cluster-registry.js';
import { FENCE_CONF, writeClusterConfig, type FileOwner } from './pg-config.js';
import { PgBackRestCli, type ArchiveGetPrefetch } from './pgbackrest-cli.js';
import {
  pgBackRestDirs,
  renderPgBackRestConfig,
  STANZA_RE,
  type PgBackRestSettings,
} from './pgbackrest-config.js';

/** Options of {@link PgClusterManager}. */
export interface PgClusterManagerOptions {
  /** Base directory of the lab; clusters, sockets, pgBackRest repo and registry live below it. */
  readonly labDir: string;
  /** PostgreSQL binaries. @default '/usr/lib/postgresql/15/bin' */
  readonly binDir?: string;
  /** OS user running the servers when drkit runs as root. @default 'postgres' */
  readonly osUser?: string;
  /** The pgBackRest executable. @default '/usr/bin/pgbackrest' */
  readonly pgbackrestBin?: string;
  /** Repository settings written into pgbackrest.conf. */
  readonly pgbackrest?: PgBackRestSettings;
  /** `archive_timeout` of new clusters, bounding the RPO of archiving. @default 10 */
  readonly archiveTimeoutSec?: number;
  /** Receives every command line drkit runs. */
  readonly log?: (line: string) => void;
}

/** Options of {@link PgClusterManager.create}. */
export interface CreateClusterOptions {
  readonly port: number;
  /**
   * Stanza to archive into and back up from (created with `stanza-create` after start), or
   * `false` for a cluster without archiving. @default the cluster id
   */
  readonly stanza?: string | false;
}

/** Seconds `pg_ctl start -w` waits for a server (crash recovery and WAL replay included). */
export const START_TIMEOUT_SEC = 120;

/** Shutdown modes of `pg_ctl stop`. */
export type StopMode = 'smart' | 'fast' | 'immediate';

/** Cluster ids become directory and stanza names. */
export const CLUSTER_ID_RE = STANZA_RE;

/**
 * Creates, starts, stops and destroys self-managed PostgreSQL clusters of one lab with
 * `initdb`/`pg_ctl`, keeping the registry and pgbackrest.conf in step. As root, every server
 * command runs as `osUser` through `runuser`; otherwise as the current user.
 */
export class PgClusterManager {
  readonly layout: PgLayout;
  readonly registry: ClusterRegistry;
  readonly pgbackrest: PgBackRestCli;
  readonly binDir: string;
  readonly osUser: string | undefined;
  private readonly opts: PgClusterManagerOptions;

  constructor(opts: PgClusterManagerOptions) {
    this.opts = opts;
    this.layout = pgLayout(opts.labDir);
    this.registry = new ClusterRegistry(this.layout.registryFile);
    this.binDir = opts.binDir ?? '/usr/lib/postgresql/15/bin';
    this.osUser = isRoot() ? (opts.osUser ?? 'postgres') : undefined;
    this.pgbackrest = new PgBackRestCli({
      configFile: this.layout.pgbackrestConfig,
      ...(opts.pgbackrestBin ? { bin: opts.pgbackrestBin } : {}),
      ...(this.osUser ? { osUser: this.osUser } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  /** The database superuser of clusters this manager creates. */
  get superuser(): string {
    return this.osUser ?? os.userInfo().username;
  }

  /** uid/gid that must own data and pgBackRest directories (`undefined` when not root). */
  get owner(): FileOwner | undefined {
    if (!this.osUser) return undefined;
    const u = lookupUser(this.osUser);
    if (!u)
      throw new DependencyMissingError(`OS user '${this.osUser}' does not exist`, {
        hint: 'install PostgreSQL (it creates the postgres user)',
      });
    return u;
  }

  /**
   * How a cluster restored as `id` prefetches WAL during its replay: its own spool and lock
   * directories under the cluster's directory (not created here), or `undefined` when prefetch
   * is off (`archiveGetQueueMaxMiB: 0`).
   */
  walPrefetch(id: string): ArchiveGetPrefetch | undefined {
    const s = this.opts.pgbackrest ?? {};
    const queueMaxMiB = s.archiveGetQueueMaxMiB ?? 256;
    if (queueMaxMiB === 0) return undefined;
    const base = path.join(this.clusterDir(id), 'archive-get');
    const p: ArchiveGetPrefetch = {
      queueMaxMiB,
      processMax: s.archiveGetProcessMax ?? s.processMax ?? 2,
      spoolPath: path.join(base, 'spool'),
      lockPath: path.join(base, 'lock'),
    };
    return p;
  }

  /** Creates a directory owned by the server's OS user (mode 700 unless given). */
  ensureDir(dir: string, mode = 0o700): void {
    mkdirSync(dir, { recursive: true, mode });
    chmodSync(dir, mode);
    const o = this.owner;
    if (o) chownSync(dir, o.uid, o.gid);
  }

  /** Creates the lab's directories (idempotent); the lab dir must be traversable by the server user. */
  ensureLab(): void {
    this.ensureDir(this.layout.labDir, 0o755);
    this.ensureDir(this.layout.clustersDir, 0o755);
    this.ensureDir(this.layout.socketDir, 0o755);
    for (const d of pgBackRestDirs(this.layout)) this.ensureDir(d, 0o750);
    if (!existsSync(this.layout.pgbackrestConfig)) this.writePgBackRestConfig();
  }

  /** Regenerates pgbackrest.conf from the registry (atomically). */
  writePgBackRestConfig(): void {
    const sections = this.registry
      .list()
      .filter((c) => c.ownsStanza && c.stanza)
      .map((c) => ({
        stanza: c.stanza!,
        dataDir: c.dataDir,
        port: c.port,
        socketDir: this.layout.socketDir,
        user: c.superuser,
      }));
    const file = this.layout.pgbackrestConfig;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, renderPgBackRestConfig(this.layout, this.opts.pgbackrest ?? {}, sections), {
      mode: 0o644,
    });
    renameSync(tmp, file);
  }

  /** The directory of a cluster: `<labDir>/clusters/<id>` (holds `data/` and `postgres.log`). */
  clusterDir(id: string): string {
    return path.join(this.layout.clustersDir, id);
  }

  /** Throws unless `id` is a valid, unused cluster id whose directory does not exist. */
  assertNewId(id: string): void {
    if (!CLUSTER_ID_RE.test(id))
      throw new UsageError(`invalid cluster id '${id}'`, {
        hint: 'use letters, digits, - and _ (max 63)',
      });
    if (this.registry.get(id))
      throw new PreconditionError(`cluster '${id}' already exists`, {
        hint: 'choose another id, or destroy the existing cluster first',
      });
    if (existsSync(this.clusterDir(id))) {
      throw new PreconditionError(
        `the directory of cluster '${id}' already exists: ${this.clusterDir(id)}`,
        {
          hint: 'it may hold data from an earlier run: inspect and remove it yourself, or choose another id',
        },
      );
    }
  }

  /** Throws PreconditionError when something listens on `port` or a registered cluster uses it. */
  async assertPortFree(port: number): Promise<void> {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`invalid port ${port}`);
    const owner = this.registry.list().find((c) => c.port === port);
    if (owner || (await portInUse(port))) {
      throw new PreconditionError(
        `port ${port} is in use${owner ? ` (registered to cluster '${owner.id}')` : ''}`,
        {
          hint: 'pick another port, or omit it to let drkit choose a free one',
          details: { port },
        },
      );
    }
  }

  /** Throws DependencyMissingError unless initdb and pg_ctl exist. */
  assertBinaries(): void {
    for (const b of ['initdb', 'pg_ctl']) {
      const p = path.join(this.binDir, b);
      if (!isExecutable(p))
        throw new DependencyMissingError(`PostgreSQL binary not found: ${p}`, {
          hint: 'apt-get install -y postgresql, or set binDir',
        });
    }
  }

  /**
   * initdb (`--data-checksums`, so pg_rewind works) + drkit.conf + lab pg_hba, start, and when
   * archiving, `stanza-create` for its stanza. Registers the cluster as `primary`.
   */
  async create(id: string, opts: CreateClusterOptions): Promise<ClusterRecord> {
    this.assertNewId(id);
    await this.assertPortFree(opts.port);
    this.assertBinaries();
    const stanza = opts.stanza === false ? undefined : (opts.stanza ?? id);
    if (stanza !== undefined) this.pgbackrest.ensureInstalled();
    this.ensureLab();
    const dir = this.clusterDir(id);
    const dataDir = path.join(dir, 'data');
    this.ensureDir(dir, 0o750);
    const init = await this.runServer([
      path.join(this.binDir, 'initdb'),
      '-D',
      dataDir,
      '--data-checksums',
      '-A',
      'trust',
      '-U',
      this.superuser,
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    if (init.code !== 0)
      throw new DrError('EXTERNAL', `initdb failed for '${id}': ${init.stderr.trim()}`, {
        hint: `inspect ${dir}`,
      });
    writeClusterConfig(
      dataDir,
      {
        port: opts.port,
        socketDir: this.layout.socketDir,
        ...(stanza !== undefined
          ? {
              archiveCommand: this.pgbackrest.archiveCommand(stanza, dataDir),
              restoreCommand: this.pgbackrest.restoreCommand(stanza),
            }
          : {}),
        archiveTimeoutSec: this.opts.archiveTimeoutSec ?? 10,
      },
      this.owner,
    );
    const rec: ClusterRecord = {
      id,
      dataDir,
      port: opts.port,
      superuser: this.superuser,
      role: 'primary',
      ...(stanza !== undefined ? { stanza } : {}),
      ownsStanza: stanza !== undefined,
      origin: 'initdb',
      createdAt: new Date().toISOString(),
    };
    this.register(rec);
    await this.start(id);
    if (stanza !== undefined) await this.pgbackrest.stanzaCreate(stanza);
    return rec;
  }

  /** Adds or replaces a registry record and regenerates pgbackrest.conf. */
  register(rec: ClusterRecord): void {
    this.registry.put(rec);
    this.writePgBackRestConfig();
  }

  /**
   * Starts a registered cluster and waits until it accepts connections (`pg_ctl -w`). A fenced
   * cluster (an old primary after a failover) is refused unless `allowFenced`: it may rejoin
   * only as a standby, through RB-N-08.
   */
  async start(
    id: string,
    timeoutSec = START_TIMEOUT_SEC,
    opts: { allowFenced?: boolean } = {},
  ): Promise<void> {
    const c = this.get(id);
    if (!opts.allowFenced && existsSync(path.join(c.dataDir, FENCE_CONF))) {
      throw new PreconditionError(
        `cluster '${id}' is fenced (an old primary after a failover) and must not start`,
        {
          hint: 'it rejoins only as a standby of the new primary: run RB-N-08 (`drkit runbook run rb-n-08`)',
          details: { fence: path.join(c.dataDir, FENCE_CONF) },
        },
      );
    }
    const r = await this.runServer([
      path.join(this.binDir, 'pg_ctl'),
      '-D',
      c.dataDir,
      '-l',
      path.join(this.clusterDir(id), 'postgres.log'),
      '-w',
      '-t',
      String(timeoutSec),
      'start',
    ]);
    if (r.code !== 0) {
      throw new DrError(
        'EXTERNAL',
        `could not start cluster '${id}': ${r.stderr.trim() || r.stdout.trim()}`,
        {
          hint: `see ${path.join(this.clusterDir(id), 'postgres.log')}`,
        },
      );
    }
  }

  /** Stops a cluster (`pg_ctl stop -m <mode>`); a no-op when it is not running. */
  async stop(id: string, mode: StopMode = 'fast'): Promise<void> {
    const c = this.get(id);
    if (!this.postmasterPid(id)) return;
    const r = await this.runServer([
      path.join(this.binDir, 'pg_ctl'),
      '-D',
      c.dataDir,
      '-m',
      mode,
      '-w',
      '-t',
      '120',
      'stop',
    ]);
    if (r.code !== 0 && this.postmasterPid(id)) {
      throw new DrError('EXTERNAL', `could not stop cluster '${id}': ${r.stderr.trim()}`, {
        hint: `try mode 'immediate', or kill(${id})`,
      });
    }
  }

  /** SIGKILLs the postmaster (a crash, for drills) and waits until it is gone. */
  async kill(id: string): Promise<void> {
    const pid = this.postmasterPid(id);
    if (!pid) return;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && this.postmasterPid(id); i++) await sleep(50);
  }

  /**
   * SIGKILLs the postmaster and every one of its children at once (a region losing power:
   * no backend or WAL sender gets to finish anything), then waits until they are gone.
   */
  async killAll(id: string): Promise<number[]> {
    const pid = this.postmasterPid(id);
    if (!pid) return [];
    const pids = [pid, ...childPids(pid)];
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(20);
    return pids;
  }

  /** The live postmaster's pid, or `undefined` (no pid file, or a stale one). */
  postmasterPid(id: string): number | undefined {
    const file = path.join(this.get(id).dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** True when the cluster's postmaster is alive. */
  isRunning(id: string): boolean {
    return this.postmasterPid(id) !== undefined;
  }

  /**
   * Stops the cluster (immediate), deletes its directory and its registry record. The
   * pgBackRest repository (its stanza's backups and WAL) is kept: backups outlive clusters.
   */
  async destroy(id: string): Promise<void> {
    if (this.isRunning(id)) await this.stop(id, 'immediate');
    rmSync(this.clusterDir(id), { recursive: true, force: true });
    this.registry.remove(id);
    this.writePgBackRestConfig();
  }

  /** A registered cluster. @throws NotFoundError */
  get(id: string): ClusterRecord {
    const c = this.registry.get(id);
    if (!c) {
      const known = this.registry.list().map((x) => x.id);
      throw new NotFoundError(`unknown cluster '${id}'`, {
        hint: `known clusters: ${known.join(', ') || '(none)'}`,
      });
    }
    return c;
  }

  /** Every registered cluster. */
  list(): ClusterRecord[] {
    return this.registry.list();
  }

  /** node-postgres options for a cluster (loopback TCP, trust auth in the lab). */
  connectionConfig(
    id: string,
    database = 'postgres',
  ): pg.ClientConfig & { host: string; port: number; user: string; database: string } {
    const c = this.get(id);
    return { host: '127.0.0.1', port: c.port, user: c.superuser, database };
  }

  /** Runs one SQL statement on a cluster and returns its rows. */
  async query<T extends pg.QueryResultRow = Record<string, unknown>>(
    id: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new pg.Client({ ...this.connectionConfig(id), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Runs a server-side command (initdb, pg_ctl, pg_waldump…) as the server's OS user. */
  async runServer(argv: readonly string[], timeoutMs = 10 * 60_000) {
    return await runCommand(argv, {
      timeoutMs,
      env: { TZ: 'UTC' },
      ...(this.osUser ? { asUser: this.osUser } : {}),
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
  }
}

/** Pids whose parent is `ppid` (from /proc; Linux only). */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // The command name may hold spaces and parentheses: the ppid is the 2nd field after the last ')'.
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** True while `pid` runs (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
