import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PreconditionError } from '../engine/errors.js';
import { sleep } from '../util/net.js';
import { livePidFromFile } from '../util/proc.js';

/**
 * A lab server that outlives the drkit command that started it: `<dir>/<name>.pid` and
 * `<dir>/<name>.log` (stdout and stderr).
 */
export class DetachedProcess {
  constructor(
    readonly dir: string,
    readonly name: string,
  ) {}

  get pidFile(): string {
    return path.join(this.dir, `${this.name}.pid`);
  }

  get logFile(): string {
    return path.join(this.dir, `${this.name}.log`);
  }

  /** The pid while the process runs. */
  pid(): number | undefined {
    return livePidFromFile(this.pidFile);
  }

  /**
   * Spawns `argv` detached unless it runs already, then waits until `ready` answers true.
   * @throws PreconditionError when it exits while starting or is not ready in `timeoutMs` (it is then killed)
   */
  async start(
    argv: readonly string[],
    ready: () => Promise<boolean>,
    timeoutMs = 30_000,
  ): Promise<void> {
    if (this.pid() !== undefined) return;
    mkdirSync(this.dir, { recursive: true });
    const log = openSync(this.logFile, 'a');
    try {
      const child = spawn(argv[0]!, argv.slice(1), {
        detached: true,
        stdio: ['ignore', log, log],
      });
      child.unref();
      writeFileSync(this.pidFile, String(child.pid));
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.pid() === undefined)
        throw new PreconditionError(`${this.name} exited while starting: ${this.logTail()}`, {
          hint: `see ${this.logFile}`,
        });
      if (await ready().catch(() => false)) return;
      await sleep(100);
    }
    await this.stop();
    throw new PreconditionError(`${this.name} not ready after ${timeoutMs / 1000} s`, {
      hint: `see ${this.logFile}`,
    });
  }

  /** SIGTERM, SIGKILL after 5 s, and waits for the exit. Idempotent. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 250 && this.pid() !== undefined; i++) await sleep(20);
      if (this.pid() !== undefined) process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && this.pid() !== undefined; i++) await sleep(20);
    }
    rmSync(this.pidFile, { force: true });
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-800).trim();
    } catch {
      return '(no log)';
    }
  }
}
