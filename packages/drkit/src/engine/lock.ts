import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConflictError } from './errors.js';

/** What a lock file records about its holder. */
interface LockHolder {
  readonly pid: number;
  readonly executionId: string;
  /** Host the holder runs on; a pid is only meaningful there. Absent in old lock files. */
  readonly host?: string;
  readonly at?: string;
}

/**
 * A per-target lock file: one runbook execution per target at a time. The file holds the
 * owner's host, pid and execution id. A lock whose process is gone (a crashed run) is taken
 * over; a live holder on this host is refused whatever its execution id — resuming an
 * execution whose process still runs would run its steps twice.
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
        const fd = openSync(file, 'wx', 0o600);
        const holder: LockHolder = {
          pid: process.pid,
          executionId,
          host: hostname(),
          at: new Date().toISOString(),
        };
        writeSync(fd, JSON.stringify(holder));
        closeSync(fd);
        return new TargetLock(file, executionId);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readHolder(file);
        if (holder && holderAlive(holder)) {
          const same = holder.executionId === executionId;
          throw new ConflictError(
            same
              ? `execution ${executionId} is still running (pid ${holder.pid} on ${holder.host ?? hostname()}) against ${key}: it cannot be resumed while it runs`
              : `another execution (${holder.executionId}, pid ${holder.pid}) is already running against ${key}`,
            {
              hint: same
                ? `wait for it to finish, or stop that process first; then \`drkit runbook resume ${executionId}\` continues it`
                : `wait for it to finish, or if it crashed resume it with \`drkit runbook resume ${holder.executionId}\``,
              details: { key, holder },
            },
          );
        }
        rmSync(file, { force: true }); // stale: its process is gone (or the file is unreadable)
      }
    }
    throw new ConflictError(`could not take the lock for ${key}`);
  }

  release(): void {
    const holder = readHolder(this.file);
    if (holder?.executionId === this.executionId && holder.pid === process.pid)
      rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * True while the holder may still run. On another host its pid says nothing here, so it is
 * taken as alive: only a person who knows that host can clear it.
 */
function holderAlive(h: LockHolder): boolean {
  if (h.host !== undefined && h.host !== hostname()) return true;
  return pidAlive(h.pid);
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
