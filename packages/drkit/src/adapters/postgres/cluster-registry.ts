import {
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  existsSync,
  fsyncSync,
  openSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';

/** Where everything of one lab's PostgreSQL clusters lives, below one base directory. */
export interface PgLayout {
  readonly labDir: string;
  /** `<labDir>/clusters`: one folder per cluster, holding `data/` and `postgres.log`. */
  readonly clustersDir: string;
  /** `<labDir>/sockets`: every cluster's Unix socket (not /var/run). */
  readonly socketDir: string;
  /** `<labDir>/pgbackrest`: config, repo, log, spool and lock directories. */
  readonly pgbackrestDir: string;
  readonly pgbackrestConfig: string;
  readonly repoPath: string;
  readonly registryFile: string;
}

/** The directory layout below `labDir`. */
export function pgLayout(labDir: string): PgLayout {
  const abs = path.resolve(labDir);
  const br = path.join(abs, 'pgbackrest');
  return {
    labDir: abs,
    clustersDir: path.join(abs, 'clusters'),
    socketDir: path.join(abs, 'sockets'),
    pgbackrestDir: br,
    pgbackrestConfig: path.join(br, 'pgbackrest.conf'),
    repoPath: path.join(br, 'repo'),
    registryFile: path.join(abs, 'clusters.json'),
  };
}

/** One cluster as the registry remembers it. */
export interface ClusterRecord {
  readonly id: string;
  readonly dataDir: string;
  readonly port: number;
  /** The database superuser (`postgres` when drkit runs as root, else the current user). */
  readonly superuser: string;
  /** `primary` or `standby` as last set by drkit (the server is the authority: see `describe`). */
  readonly role: 'primary' | 'standby';
  /**
   * The pgBackRest stanza this cluster archives into, or `undefined` when archiving is off.
   * A standby shares its primary's stanza; a PITR restore gets a new one.
   */
  readonly stanza?: string;
  /** True when the stanza's `pg1-*` options describe this cluster (it is backed up from here). */
  readonly ownsStanza: boolean;
  /**
   * Where standbys in other regions reach this cluster for streaming replication (the lab's
   * inter-region link). @default 127.0.0.1 and its own port
   */
  readonly replicationEndpoint?: { readonly host: string; readonly port: number };
  /**
   * A delayed standby's `recovery_min_apply_delay` in seconds: it replays each commit this long
   * after it happened, and is never a failover target. @default none: not delayed
   */
  readonly applyDelaySeconds?: number;
  /** Where the cluster came from (`initdb`, `restore:<source>@<target>`, `standby:<source>`). */
  readonly origin: string;
  readonly createdAt: string;
}

/**
 * The lab's list of clusters: a JSON file (`<labDir>/clusters.json`), rewritten atomically
 * (temp file, fsync, rename) so a crash never leaves it half-written. One process at a time
 * is assumed to mutate a lab (the engine's lock guarantees it for runbooks).
 */
export class ClusterRegistry {
  constructor(readonly file: string) {}

  /** All clusters, in insertion order. A missing file is an empty registry. */
  list(): ClusterRecord[] {
    if (!existsSync(this.file)) return [];
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { clusters?: ClusterRecord[] };
    return parsed.clusters ?? [];
  }

  /** One cluster, or `undefined`. */
  get(id: string): ClusterRecord | undefined {
    return this.list().find((c) => c.id === id);
  }

  /** Adds or replaces the record with the same id. */
  put(rec: ClusterRecord): void {
    const all = this.list().filter((c) => c.id !== rec.id);
    all.push(rec);
    this.write(all);
  }

  /** Removes a record (no-op when absent). */
  remove(id: string): void {
    this.write(this.list().filter((c) => c.id !== id));
  }

  private write(clusters: ClusterRecord[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, clusters }, null, 2) + '\n', { mode: 0o644 });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}

/** The `primary_conninfo` of a standby named `standbyId` streaming from `primary`: through its replication endpoint when it has one. */
export function standbyConninfo(primary: ClusterRecord, standbyId: string): string {
  const ep = primary.replicationEndpoint ?? { host: '127.0.0.1', port: primary.port };
  return `host=${ep.host} port=${ep.port} user=${primary.superuser} application_name=${standbyId}`;
}
