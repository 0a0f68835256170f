import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { ConflictError } from './errors.js';

/**
 * A per-target lock file: one runbook execution per target at a time. The file holds the
 * owner's pid and execution id; a lock whose pid is gone (a crashed run) is taken over.
 */
export class TargetLock {
  private constructor(
    readonly file: string,
    readonly executionId: string,
  ) {}

  static acquire(dir: string, key: string, executionId: string): TargetLock {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
    for (let i = 0; i < 2; i++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(
          fd,
          JSON.stringify({ pid: process.pid, executionId, at: new Date().toISOString() }),
        );
        closeSync(fd);
        return new TargetLock(file, executionId);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readHolder(file);
        if (holder && holder.executionId === executionId) {
          // Our own execution resuming after a crash: take the lock back.
          rmSync(file, { force: true });
          continue;
        }
        if (holder && pidAlive(holder.pid)) {
          throw new ConflictError(
            `another execution (${holder.executionId}, pid ${holder.pid}) is already running against ${key}`,
            {
              hint: `wait for it to finish, or if it crashed resume it with \`drkit runbook resume ${holder.executionId}\``,
              details: { key, holder },
            },
          );
        }
        rmSync(file, { force: true }); // stale: its process is gone
      }
    }
    throw new ConflictError(`could not take the lock for ${key}`);
  }

  release(): void {
    const holder = readHolder(this.file);
    if (holder?.executionId === this.executionId) rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): { pid: number; executionId: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; executionId: string };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
