import { DependencyMissingError, DrError, NotFoundError } from '../../engine/errors.js';
import {
  asUserArgv,
  formatCommand,
  isExecutable,
  runCommand,
  shellQuote,
  type ProcResult,
} from '../../util/proc.js';
import { parsePgBackRestInfo, type StanzaInfo } from './pgbackrest-info.js';
import { parseVerifyOutput, type VerifyResult } from './pgbackrest-verify.js';

/** Options of {@link PgBackRestCli}. */
export interface PgBackRestCliOptions {
  /** The pgBackRest executable. @default '/usr/bin/pgbackrest' */
  readonly bin?: string;
  /** The lab's `pgbackrest.conf`. */
  readonly configFile: string;
  /** OS user to run as when drkit is root. @default 'postgres' */
  readonly osUser?: string;
  /** Receives every command line before it runs. */
  readonly log?: (line: string) => void;
}

/** Restore options that map 1:1 to `pgbackrest restore` flags. */
export interface RestoreArgs {
  readonly stanza: string;
  /** Data directory to restore into (`--pg1-path`), never the source's. */
  readonly dataDir: string;
  /** `time` (PITR, promote at target), `default` (to the end of the archive) or `standby`. */
  readonly type: 'time' | 'default' | 'standby';
  /** `--target`, already formatted (see `formatPgTarget`), for type `time`. */
  readonly target?: string;
  /** `--recovery-option=primary_conninfo=…` for a standby. */
  readonly primaryConninfo?: string;
}

/** How a restored cluster's `restore_command` prefetches WAL (see `prefetchRestoreCommand`). */
export interface ArchiveGetPrefetch {
  /** `--archive-get-queue-max`, in MiB: WAL fetched ahead of replay. */
  readonly queueMaxMiB: number;
  /** `--process-max` of the async archive-get: segments fetched in parallel. */
  readonly processMax: number;
  /** The restore's own spool directory (owned by the server's OS user). */
  readonly spoolPath: string;
  /** The restore's own lock directory (owned by the server's OS user). */
  readonly lockPath: string;
}

/**
 * A thin wrapper over the `pgbackrest` command: builds argv (always with `--config`), runs it as
 * the server's OS user, and translates failures into drkit errors. No retries (the engine
 * retries steps).
 */
export class PgBackRestCli {
  readonly bin: string;
  readonly configFile: string;
  readonly osUser: string;
  private readonly log: ((line: string) => void) | undefined;

  constructor(opts: PgBackRestCliOptions) {
    this.bin = opts.bin ?? '/usr/bin/pgbackrest';
    this.configFile = opts.configFile;
    this.osUser = opts.osUser ?? 'postgres';
    this.log = opts.log;
  }

  /** Throws DependencyMissingError unless the configured binary is executable. */
  ensureInstalled(): void {
    if (!isExecutable(this.bin)) {
      throw new DependencyMissingError(`pgBackRest is not installed (looked for ${this.bin})`, {
        hint: 'install it (apt-get install -y pgbackrest) or set the pgbackrest binary path in the config',
        details: { bin: this.bin },
      });
    }
  }

  /** The argv of one pgBackRest command, as it would run (with `runuser` when root). */
  argv(command: string, stanza: string | undefined, extra: readonly string[] = []): string[] {
    const base = [this.bin, `--config=${this.configFile}`];
    if (stanza !== undefined) base.push(`--stanza=${stanza}`);
    return asUserArgv([...base, ...extra, command], this.osUser);
  }

  /** The `archive_command` for a cluster archiving into `stanza` (pg1-path pinned to its own data dir). */
  archiveCommand(stanza: string, dataDir: string): string {
    return [
      shellQuote(this.bin),
      shellQuote(`--config=${this.configFile}`),
      shellQuote(`--stanza=${stanza}`),
      shellQuote(`--pg1-path=${dataDir}`),
      'archive-push',
      '%p',
    ].join(' ');
  }

  /** The `restore_command` fetching WAL of `stanza` from the repository (pg_rewind, recovery). */
  restoreCommand(stanza: string): string {
    return [
      shellQuote(this.bin),
      shellQuote(`--config=${this.configFile}`),
      shellQuote(`--stanza=${stanza}`),
      'archive-get',
      '%f',
      '"%p"',
    ].join(' ');
  }

  /**
   * The `restore_command` of a restored cluster: `archive-get` with `--archive-async=y`, so one
   * background pgBackRest process fetches the next segments (up to `queueMaxMiB`, `processMax`
   * in parallel) into a spool queue while the server replays the current one. pgBackRest refuses
   * `--archive-async` on `restore` itself; in the restore_command it cut redo by 20–45 % here.
   * pgBackRest checks that the server asking runs in `dataDir` (the restored copy, not the
   * stanza's own pg1-path). `spoolPath` and `lockPath` are the restore's own: two restores of one stanza never share a
   * queue or wait on each other's lock.
   */
  prefetchRestoreCommand(stanza: string, dataDir: string, p: ArchiveGetPrefetch): string {
    return [
      shellQuote(this.bin),
      shellQuote(`--config=${this.configFile}`),
      shellQuote(`--stanza=${stanza}`),
      shellQuote(`--pg1-path=${dataDir}`),
      '--archive-async=y',
      `--archive-get-queue-max=${Math.round(p.queueMaxMiB * 2 ** 20)}`,
      `--process-max=${p.processMax}`,
      shellQuote(`--spool-path=${p.spoolPath}`),
      shellQuote(`--lock-path=${p.lockPath}`),
      'archive-get',
      '%f',
      '"%p"',
    ].join(' ');
  }

  /** argv of `pgbackrest restore` for {@link RestoreArgs}. */
  restoreArgv(a: RestoreArgs): string[] {
    const extra = [`--pg1-path=${a.dataDir}`, `--type=${a.type}`];
    if (a.type === 'time') {
      if (!a.target) throw new Error('restoreArgv: type time needs a target');
      extra.push(`--target=${a.target}`, '--target-action=promote');
    }
    if (a.type === 'standby' && a.primaryConninfo) {
      extra.push(`--recovery-option=primary_conninfo=${a.primaryConninfo}`);
    }
    return this.argv('restore', a.stanza, extra);
  }

  /** Runs a prepared argv, translating a non-zero exit. */
  async exec(argv: readonly string[], what: string, timeoutMs = 30 * 60_000): Promise<ProcResult> {
    this.ensureInstalled();
    // argv already carries runuser when needed: do not wrap again.
    const r = await runCommand(argv, { timeoutMs, ...(this.log ? { log: this.log } : {}) });
    if (r.code !== 0) throw translate(r, what, formatCommand(argv));
    return r;
  }

  /** `stanza-create` (idempotent in pgBackRest when the stanza matches). */
  async stanzaCreate(stanza: string): Promise<void> {
    await this.exec(this.argv('stanza-create', stanza), `stanza-create for '${stanza}'`);
  }

  /** `check`: archiving works and the config matches the cluster. */
  async check(stanza: string, opts: { archiveTimeoutSeconds?: number } = {}): Promise<void> {
    const extra =
      opts.archiveTimeoutSeconds === undefined
        ? []
        : [`--archive-timeout=${opts.archiveTimeoutSeconds}`];
    await this.exec(this.argv('check', stanza, extra), `check of stanza '${stanza}'`);
  }

  /** `backup --type=…`. */
  async backup(
    stanza: string,
    type: 'full' | 'diff' | 'incr',
    label?: string,
    opts: { expire?: boolean } = {},
  ): Promise<void> {
    const extra = [`--type=${type}`];
    if (label) extra.push(`--annotation=drkit-label=${label}`);
    // A backup taken during a recovery must not expire the backup and WAL the recovery used.
    if (opts.expire === false) extra.push('--no-expire-auto');
    await this.exec(this.argv('backup', stanza, extra), `${type} backup of '${stanza}'`);
  }

  /**
   * `info --output=json` for one stanza.
   * @throws NotFoundError when the stanza has never been created in the repository.
   */
  async info(stanza: string): Promise<StanzaInfo> {
    const r = await this.exec(this.argv('info', stanza, ['--output=json']), `info of '${stanza}'`);
    const info = parsePgBackRestInfo(r.stdout, stanza);
    if (info.statusCode === 1) {
      throw new NotFoundError(
        `pgBackRest stanza '${stanza}' does not exist in the repository (${info.statusMessage})`,
        {
          hint: 'create it with stanza-create (drkit does this when it creates a cluster)',
        },
      );
    }
    return info;
  }

  /** `info --output=json` as printed (its system ids exceed 2^53: see `systemIdsOf`). */
  async infoJson(stanza: string): Promise<string> {
    return (await this.exec(this.argv('info', stanza, ['--output=json']), `info of '${stanza}'`))
      .stdout;
  }

  /**
   * `verify` of the stanza's repository: every WAL segment and backup file read back and
   * checksummed. pgBackRest 2.45 exits 0 whatever it finds, so the text summary and the
   * per-file `invalid result` lines are parsed; no job retries (a corrupt file stays corrupt).
   */
  async verify(stanza: string, timeoutMs = 30 * 60_000): Promise<VerifyResult> {
    const r = await this.exec(
      this.argv('verify', stanza, [
        '--output=text',
        '--verbose',
        '--log-level-console=detail',
        '--job-retry=0',
      ]),
      `verify of '${stanza}'`,
      timeoutMs,
    );
    return parseVerifyOutput(`${r.stdout}\n${r.stderr}`);
  }

  /** `archive-get <segment> <dest>`: false when the segment is not in the archive. */
  async archiveGet(stanza: string, segment: string, dest: string): Promise<boolean> {
    this.ensureInstalled();
    const argv = this.argv('archive-get', stanza, []);
    argv.push(segment, dest);
    const r = await runCommand(argv, this.log ? { log: this.log } : {});
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw translate(r, `archive-get ${segment}`, formatCommand(argv));
  }
}

function translate(r: ProcResult, what: string, cmd: string): DrError {
  const text = (r.stderr + '\n' + r.stdout).trim();
  const m = /ERROR: \[(\d+)\]: ([^\n]*)/.exec(text);
  const msg = m ? m[2]! : text.split('\n').slice(-3).join(' ') || `exit ${r.code ?? r.signal}`;
  const details = { command: cmd, exitCode: r.code, pgbackrestError: m ? Number(m[1]) : undefined };
  if (/does this stanza exist|missing stanza|requires option: pg1-path/i.test(text)) {
    return new NotFoundError(`${what} failed: ${msg}`, {
      hint: 'the stanza is not configured or not created: check `drkit` cluster list and pgbackrest.conf',
      details,
    });
  }
  return new DrError('EXTERNAL', `${what} failed: ${msg}`, {
    hint: `see pgBackRest's log under the lab's pgbackrest/log directory; command: ${cmd}`,
    details,
  });
}
