import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../engine/errors.js';
import { TargetLock } from '../engine/lock.js';
import type { Incident } from '../ports/incidents.js';
import { sleep } from '../util/net.js';

/** How long a writer waits for another process's change to finish. */
const LOCK_WAIT_MS = 30_000;

/**
 * Incidents as files under `<dir>` (`<id>.json`, written whole and renamed into place), every
 * change under one lock (`engine/lock.ts`): a runbook's process, `drkit incident watch` and a
 * human's `drkit incident ack` may touch the same incident at once. A lock whose process died
 * is taken over.
 */
export class IncidentStore {
  constructor(readonly dir: string) {}

  /** Runs `fn` holding the store's lock (waits for another holder up to 30 s). */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const token = `incidents-${process.pid}-${randomBytes(4).toString('hex')}`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    let lock: TargetLock | undefined;
    while (!lock) {
      try {
        lock = TargetLock.acquire(path.join(this.dir, 'locks'), 'incidents', token);
      } catch (err) {
        if (!(err instanceof ConflictError) || Date.now() > deadline) throw err;
        await sleep(20 + Math.random() * 30);
      }
    }
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }

  list(): Incident[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /^INC-[A-Za-z0-9-]+\.json$/.test(n));
    } catch {
      return [];
    }
    return names
      .map((n) => JSON.parse(readFileSync(path.join(this.dir, n), 'utf8')) as Incident)
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  get(id: string): Incident {
    if (!/^INC-[A-Za-z0-9-]+$/.test(id))
      throw new NotFoundError(
        `no incident '${id}': incident ids look like INC-20261202-103501-ab12`,
        {
          hint: '`drkit incident list` shows them',
        },
      );
    try {
      return JSON.parse(readFileSync(path.join(this.dir, `${id}.json`), 'utf8')) as Incident;
    } catch {
      throw new NotFoundError(`no incident ${id} in ${this.dir}`, {
        hint: '`drkit incident list` shows the incidents of this state dir',
      });
    }
  }

  save(inc: Incident): void {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${inc.id}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(inc, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}

/** A new incident id: `INC-<utc stamp>-<random>`. */
export function newIncidentId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `INC-${stamp}-${randomBytes(2).toString('hex')}`;
}
