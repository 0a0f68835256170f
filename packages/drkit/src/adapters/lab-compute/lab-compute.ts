import { livePidFromFile } from '../../util/proc.js';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DependencyMissingError,
  NotFoundError,
  StepTimeoutError,
  UsageError,
} from '../../engine/errors.js';
import type { Compute, TaskInfo } from '../../ports/compute.js';
import { sleep } from '../../util/net.js';

/** A place for one app task: its id (`a-1`), region and fixed port. */
export interface TaskSlot {
  readonly id: string;
  readonly region: string;
  readonly port: number;
}

/** The compiled app entry point (tests run from src/, so they use the built dist/). */
function appEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../../app/server-main.js'),
    path.resolve(here, '../../../dist/app/server-main.js'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new DependencyMissingError('the sample app is not built', {
      hint: 'run `npm run build -w packages/drkit`',
    });
  return found;
}

/** GET /healthz of one task: 200, another status, or undefined when nothing answers. */
export async function probeHealth(address: string, timeoutMs = 800): Promise<number | undefined> {
  try {
    const r = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return undefined;
  }
}

/**
 * The lab's compute: app tasks as detached processes (`dist/app/server-main.js`), one per
 * slot, with pid files and logs under `dir`, so they outlive the drkit command that started
 * them (like ECS tasks) and `lab down` stops them. The lab's ECS service per region.
 */
export class LabCompute implements Compute {
  readonly kind = 'lab-processes';

  constructor(
    private readonly dir: string,
    private readonly secretsDir: string,
    readonly slots: readonly TaskSlot[],
    /**
     * The build a task starts on and its release name (`/healthz` reports it).
     * @default the built app, release `build`
     */
    private readonly entry?: () => { path: string; release: string } | undefined,
  ) {}

  /**
   * Stops a task and starts it again (on the entry's build), then waits until its `/healthz`
   * answers 200 reporting `release`. @throws StepTimeoutError after `timeoutMs`
   */
  async restartTask(id: string, release: string, timeoutMs = 30_000): Promise<void> {
    const s = this.slots.find((x) => x.id === id);
    if (!s) throw new NotFoundError(`no app task '${id}'`);
    await this.stopTask(id);
    this.startTask(s);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${s.port}/healthz`, {
          signal: AbortSignal.timeout(800),
        });
        const body = (await r.json()) as { release?: string };
        if (r.status === 200 && body.release === release) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new StepTimeoutError(`task ${id} did not come back healthy on release ${release}`, {
          retryable: true,
          hint: `see ${path.join(this.dir, `${id}.log`)}`,
        });
      await sleep(100);
    }
  }

  async tasks(region: string): Promise<TaskInfo[]> {
    return await Promise.all(
      this.slotsOf(region).map(async (s) => {
        const running = this.pid(s.id) !== undefined;
        return {
          id: s.id,
          region,
          address: `127.0.0.1:${s.port}`,
          running,
          healthy: running && (await probeHealth(`127.0.0.1:${s.port}`)) === 200,
        };
      }),
    );
  }

  async planScale(region: string, count: number): Promise<string[]> {
    return [`compute(${this.kind}) scale ${region} to ${count}; wait for /healthz 200 on each`];
  }

  async scale(
    region: string,
    count: number,
    opts: { timeoutMs?: number } = {},
  ): Promise<TaskInfo[]> {
    const slots = this.slotsOf(region);
    if (count < 0 || count > slots.length)
      throw new UsageError(
        `region '${region}' has ${slots.length} task slots; cannot run ${count}`,
      );
    for (const s of slots.slice(count)) await this.stopTask(s.id);
    for (const s of slots.slice(0, count)) if (this.pid(s.id) === undefined) this.startTask(s);
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      const t = await this.tasks(region);
      if (t.slice(0, count).every((x) => x.healthy)) return t;
      if (Date.now() > deadline) {
        throw new StepTimeoutError(
          `region '${region}': ${t.filter((x) => x.healthy).length} of ${count} app tasks healthy`,
          { hint: `see the task logs in ${this.dir}` },
        );
      }
      await sleep(50);
    }
  }

  /** The running tasks of every region, for a freeze to ask (`/healthz`) whether they applied it. */
  async appTasks(): Promise<Array<{ id: string; address: string }>> {
    return this.slots
      .filter((s) => this.pid(s.id) !== undefined)
      .map((s) => ({ id: s.id, address: `127.0.0.1:${s.port}` }));
  }

  /** Fault injection: SIGKILLs every task of a region at once. Returns the pids killed. */
  killRegion(region: string): number[] {
    const pids: number[] = [];
    for (const s of this.slotsOf(region)) {
      const pid = this.pid(s.id);
      if (pid === undefined) continue;
      process.kill(pid, 'SIGKILL');
      pids.push(pid);
    }
    return pids;
  }

  /**
   * The tasks whose pid files lie in `dir`, whatever layout started them (a drill's own tasks,
   * a lab whose layout file is gone): enough to stop them.
   */
  static fromPidFiles(dir: string, secretsDir: string): LabCompute {
    const ids = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.pid'))
          .map((f) => f.slice(0, -'.pid'.length))
      : [];
    return new LabCompute(
      dir,
      secretsDir,
      ids.map((id) => ({ id, region: id.split('-')[0] ?? id, port: 0 })),
    );
  }

  /** Stops every task (SIGTERM, then SIGKILL after 3 s). */
  async stopAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.stopTask(s.id)));
  }

  /** Pid of a running task. */
  pid(id: string): number | undefined {
    return livePidFromFile(path.join(this.dir, `${id}.pid`));
  }

  private slotsOf(region: string): TaskSlot[] {
    return this.slots.filter((s) => s.region === region);
  }

  private startTask(s: TaskSlot): void {
    mkdirSync(this.dir, { recursive: true });
    const log = openSync(path.join(this.dir, `${s.id}.log`), 'a');
    const entry = this.entry?.() ?? { path: appEntry(), release: 'build' };
    try {
      const child = spawn(
        process.execPath,
        [
          entry.path,
          '--port',
          String(s.port),
          '--secrets-dir',
          this.secretsDir,
          '--region',
          s.region,
          '--task',
          s.id,
        ],
        {
          detached: true,
          stdio: ['ignore', log, log],
          env: { ...process.env, DRKIT_APP_RELEASE: entry.release },
        },
      );
      child.unref();
      writeFileSync(path.join(this.dir, `${s.id}.pid`), String(child.pid));
    } finally {
      closeSync(log);
    }
  }

  private async stopTask(id: string): Promise<void> {
    const pid = this.pid(id);
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 150 && this.pid(id) !== undefined; i++) await sleep(20);
      if (this.pid(id) !== undefined) process.kill(pid, 'SIGKILL');
    }
    rmSync(path.join(this.dir, `${id}.pid`), { force: true });
  }
}
