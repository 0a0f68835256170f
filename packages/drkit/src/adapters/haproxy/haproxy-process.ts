import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { DependencyMissingError, DrError } from '../../engine/errors.js';
import { sleep } from '../../util/net.js';
import { isExecutable, runCommand } from '../../util/proc.js';
import { runtimeCommand, type RuntimeCommandOptions } from './haproxy-runtime.js';

/** Options of {@link HaproxyProcess}. */
export interface HaproxyProcessOptions {
  /** Directory of haproxy.cfg, haproxy.pid, admin.sock and haproxy.log. */
  readonly dir: string;
  /** What this HAProxy is (`the front door (HAProxy)`), for errors. */
  readonly what: string;
  /** Hint when it is not running. */
  readonly hint: string;
  /** Renders haproxy.cfg from the process's socket and pid file. */
  readonly render: (files: { readonly statsSocket: string; readonly pidFile: string }) => string;
  /** @default '/usr/sbin/haproxy' */
  readonly bin?: string;
}

/**
 * One HAProxy process of the lab, in its own directory: config file, runtime API socket, pid
 * file and log. Runs in master-worker mode (`-W`), detached, with its stderr appended to
 * haproxy.log (a daemonised HAProxy closes stderr, and the lab has no syslog). The front door
 * and the WAN are two of them.
 */
export class HaproxyProcess {
  readonly configFile: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly logFile: string;

  constructor(private readonly opts: HaproxyProcessOptions) {
    this.configFile = path.join(opts.dir, 'haproxy.cfg');
    this.socket = path.join(opts.dir, 'admin.sock');
    this.pidFile = path.join(opts.dir, 'haproxy.pid');
    this.logFile = path.join(opts.dir, 'haproxy.log');
  }

  /** One command on this process's runtime API. @throws PreconditionError when it is not running */
  async command(command: string): Promise<string> {
    return await runtimeCommand(this.socket, command, this.runtimeOptions);
  }

  /** How {@link runtimeCommand} names this process. */
  get runtimeOptions(): RuntimeCommandOptions {
    return { what: this.opts.what, hint: this.opts.hint };
  }

  /**
   * Writes haproxy.cfg, checks it (`haproxy -c`), starts HAProxy and waits until its runtime
   * API answers. No-op when running.
   */
  async start(): Promise<void> {
    const bin = this.opts.bin ?? '/usr/sbin/haproxy';
    if (!isExecutable(bin))
      throw new DependencyMissingError(`HAProxy not found: ${bin}`, {
        hint: 'apt-get install -y haproxy',
      });
    if (this.pid() !== undefined) return;
    mkdirSync(this.opts.dir, { recursive: true });
    this.writeConfig();
    const check = await runCommand([bin, '-c', '-q', '-f', this.configFile]);
    if (check.code !== 0)
      throw new DrError(
        'CONFIG',
        `haproxy.cfg is invalid: ${(check.stderr || check.stdout).trim()}`,
        { hint: this.configFile },
      );
    rmSync(this.socket, { force: true });
    rmSync(this.pidFile, { force: true });
    const log = openSync(this.logFile, 'a');
    let exited: string | undefined;
    try {
      const child = spawn(bin, ['-W', '-f', this.configFile], {
        cwd: '/',
        detached: true,
        stdio: ['ignore', log, log],
      });
      child.once('exit', (code, signal) => (exited = `exited ${signal ?? `with code ${code}`}`));
      child.once('error', (err) => (exited = err.message));
      child.unref();
    } finally {
      closeSync(log);
    }
    for (let i = 0; i < 100 && exited === undefined; i++) {
      if (
        await this.command('show info').then(
          () => true,
          () => false,
        )
      )
        return;
      await sleep(50);
    }
    const tail = existsSync(this.logFile)
      ? readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-5).join('\n')
      : '';
    throw new DrError(
      exited ? 'EXTERNAL' : 'TIMEOUT',
      `${this.opts.what} ${exited ? `did not start (${exited})` : 'started but its runtime API does not answer'}${tail ? `:\n${tail}` : ''}`,
      { hint: this.logFile },
    );
  }

  /** Stops HAProxy (SIGTERM to the master's pid) and waits for it to exit. Idempotent. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && this.pid() !== undefined; i++) await sleep(20);
    rmSync(this.pidFile, { force: true });
  }

  /** HAProxy's (master) pid when it runs. */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim().split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Renders haproxy.cfg again (atomically); a running HAProxy reads it at its next start. */
  writeConfig(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    const tmp = `${this.configFile}.tmp`;
    writeFileSync(tmp, this.opts.render({ statsSocket: this.socket, pidFile: this.pidFile }));
    renameSync(tmp, this.configFile);
  }
}
