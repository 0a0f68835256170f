import {
  appendFileSync,
  chownSync,
  existsSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** The file (inside the data directory) holding every setting drkit manages. */
export const DRKIT_CONF = 'drkit.conf';
/** Replication settings of a primary (`synchronous_standby_names`); never carried to a copy. */
export const REPLICATION_CONF = 'drkit-replication.conf';
/**
 * Present when the cluster is fenced after a failover: it holds `default_transaction_read_only`
 * and drkit refuses to start the cluster; RB-N-08 removes it when the cluster rejoins.
 */
export const FENCE_CONF = 'drkit-fence.conf';
/**
 * Recovery settings of a delayed standby (`recovery_min_apply_delay`) and, during RB-N-02's
 * fast path, its recovery target; never carried to a copy.
 */
export const RECOVERY_CONF = 'drkit-recovery.conf';

/** Settings drkit writes into `drkit.conf` of a cluster. */
export interface PgServerSettings {
  readonly port: number;
  readonly socketDir: string;
  /**
   * The full `archive_command`, or `undefined` to turn archiving off (`archive_mode=off`).
   */
  readonly archiveCommand?: string;
  /**
   * `restore_command` (fetch WAL from the archive): lets pg_rewind find WAL the old primary
   * already recycled (`--restore-target-wal`). Used only during recovery. @default none
   */
  readonly restoreCommand?: string;
  /** Force a WAL segment switch at least this often, bounding the archive's RPO. @default 10 */
  readonly archiveTimeoutSec?: number;
  /** @default 10 */
  readonly maxWalSenders?: number;
}

/** The text of `drkit.conf`. */
export function renderDrkitConf(s: PgServerSettings): string {
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const lines = [
    '# Written by drkit; rewritten on restore/standby creation. Edit drkit settings here.',
    `listen_addresses = '127.0.0.1'`,
    `port = ${s.port}`,
    `unix_socket_directories = ${q(s.socketDir)}`,
    'wal_level = replica',
    `max_wal_senders = ${s.maxWalSenders ?? 10}`,
    'max_replication_slots = 10',
    'wal_log_hints = on',
    'hot_standby = on',
    `archive_timeout = ${s.archiveTimeoutSec ?? 10}`,
  ];
  if (s.archiveCommand === undefined) lines.push('archive_mode = off');
  else lines.push('archive_mode = on', `archive_command = ${q(s.archiveCommand)}`);
  if (s.restoreCommand !== undefined) lines.push(`restore_command = ${q(s.restoreCommand)}`);
  // Last, so they override: written and removed by replication and fencing.
  lines.push(
    `include_if_exists = '${REPLICATION_CONF}'`,
    `include_if_exists = '${RECOVERY_CONF}'`,
    `include_if_exists = '${FENCE_CONF}'`,
  );
  return lines.join('\n') + '\n';
}

/**
 * The group of the app's own login roles (`drkit_app_<n>`, made by the lab's credential
 * rotation): they log in with a password, so a rotated-away one is really refused.
 */
export const APP_LOGIN_GROUP = 'drkit_app';

/**
 * pg_hba.conf for the lab: `trust` for local sockets and 127.0.0.1 only (including
 * replication), except the app's login roles (members of {@link APP_LOGIN_GROUP}), which need
 * their password (scram-sha-256). This is a LAB setting: anything on the machine can connect
 * as any other role. Never use it outside a single-user lab host.
 */
export function renderLabHba(): string {
  return [
    '# drkit lab: the app logs in with its password; trust on loopback only for the rest (lab setting, not for production)',
    `local   all           +${APP_LOGIN_GROUP}          scram-sha-256`,
    `host    all           +${APP_LOGIN_GROUP}   127.0.0.1/32   scram-sha-256`,
    'local   all           all                  trust',
    'host    all           all   127.0.0.1/32   trust',
    'local   replication   all                  trust',
    'host    replication   all   127.0.0.1/32   trust',
    '',
  ].join('\n');
}

/** Numeric owner given to files drkit writes into a data directory (when running as root). */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Makes `postgresql.conf` include `drkit.conf` (idempotent) and writes both drkit files,
 * owned by `owner` when given (the server, pg_rewind and pgBackRest must own what they read).
 */
export function writeClusterConfig(dataDir: string, s: PgServerSettings, owner?: FileOwner): void {
  const main = path.join(dataDir, 'postgresql.conf');
  const include = `include_if_exists = '${DRKIT_CONF}'`;
  if (!readFileSync(main, 'utf8').includes(include)) appendFileSync(main, `\n${include}\n`);
  const files: Array<[string, string]> = [
    [path.join(dataDir, DRKIT_CONF), renderDrkitConf(s)],
    [path.join(dataDir, 'pg_hba.conf'), renderLabHba()],
  ];
  for (const [f, text] of files) {
    writeFileSync(f, text, { mode: 0o600 });
    if (owner) chownSync(f, owner.uid, owner.gid);
  }
}

/**
 * Prepares a data directory restored from another cluster's backup so it can never act as
 * that cluster: rewrites `drkit.conf` (own port, socket, archive target), removes the
 * source's `postmaster.pid`/`postmaster.opts` if a backup carried them, and (for a PITR
 * restore, `standby=false`) removes `standby.signal` so the server promotes at the target.
 * Settings from `postgresql.auto.conf` written by pgBackRest (targets; restore_command unless
 * `s.restoreCommand` replaces it) stay.
 */
export function rewriteRestoredConfig(
  dataDir: string,
  s: PgServerSettings,
  standby: boolean,
  owner?: FileOwner,
): void {
  // A copy is neither fenced nor the primary of the source's synchronous standbys.
  for (const f of [
    'postmaster.pid',
    'postmaster.opts',
    REPLICATION_CONF,
    RECOVERY_CONF,
    FENCE_CONF,
  ])
    rmSync(path.join(dataDir, f), { force: true });
  if (!standby) rmSync(path.join(dataDir, 'standby.signal'), { force: true });
  writeClusterConfig(dataDir, s, owner);
  // pgBackRest writes its own restore_command there; drkit's (with WAL prefetch) wins when given.
  scrubAutoConf(dataDir, [
    'port',
    'archive_command',
    'archive_mode',
    'unix_socket_directories',
    ...(s.restoreCommand === undefined ? [] : ['restore_command']),
  ]);
}

/** Drops settings from `postgresql.auto.conf` that would override `drkit.conf`. */
function scrubAutoConf(dataDir: string, names: readonly string[]): void {
  const file = path.join(dataDir, 'postgresql.auto.conf');
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !names.some((n) => new RegExp(`^\\s*${n}\\s*=`).test(line)));
  writeFileSync(file, kept.join('\n'));
}

/**
 * Writes `drkit-recovery.conf` (owned by the server's user) with these settings, or removes it
 * when `settings` is empty. Read at the next server start (recovery targets) or reload.
 */
export function writeRecoveryConf(
  dataDir: string,
  settings: Readonly<Record<string, string>>,
  owner?: FileOwner,
): void {
  const f = path.join(dataDir, RECOVERY_CONF);
  const entries = Object.entries(settings);
  if (entries.length === 0) return rmSync(f, { force: true });
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  writeFileSync(
    f,
    `# Written by drkit: delayed standby / fast point-in-time restore\n${entries.map(([k, v]) => `${k} = ${q(v)}`).join('\n')}\n`,
    { mode: 0o600 },
  );
  if (owner) chownSync(f, owner.uid, owner.gid);
}

/** The settings of `drkit-recovery.conf` (empty when it does not exist). */
export function readRecoveryConf(dataDir: string): Record<string, string> {
  const f = path.join(dataDir, RECOVERY_CONF);
  if (!existsSync(f)) return {};
  const out: Record<string, string> = {};
  for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(\w+)\s*=\s*'((?:[^']|'')*)'/gm))
    out[m[1]!] = m[2]!.replace(/''/g, "'");
  return out;
}
