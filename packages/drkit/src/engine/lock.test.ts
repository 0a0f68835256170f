import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from './errors.js';
import { TargetLock } from './lock.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A live process that is not this one: the "other drkit" holding a lock. */
function liveOther(): number {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

function lockFile(dir: string, key: string, holder: Record<string, unknown>): string {
  const f = path.join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  writeFileSync(f, JSON.stringify(holder));
  return f;
}

describe('TargetLock', () => {
  it('refuses the SAME execution id while its process is alive on this host (resume of a live run)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-lock-'));
    lockFile(dir, 'postgres:a', { pid: liveOther(), executionId: 'exec-1', host: hostname() });
    expect(() => TargetLock.acquire(dir, 'postgres:a', 'exec-1')).toThrow(ConflictError);
    expect(() => TargetLock.acquire(dir, 'postgres:a', 'exec-1')).toThrow(/still running/);
  });

  it('refuses a live holder written by an older drkit (no host field)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-lock-'));
    lockFile(dir, 'k', { pid: liveOther(), executionId: 'exec-1' });
    expect(() => TargetLock.acquire(dir, 'k', 'exec-1')).toThrow(ConflictError);
  });

  it('refuses a holder on another host (its pid means nothing here)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-lock-'));
    lockFile(dir, 'k', { pid: 1, executionId: 'exec-1', host: `${hostname()}-elsewhere` });
    expect(() => TargetLock.acquire(dir, 'k', 'exec-2')).toThrow(ConflictError);
  });

  it('takes over the lock of a dead process, whatever its execution id', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-lock-'));
    const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => c.on('exit', r));
    lockFile(dir, 'k', { pid: c.pid, executionId: 'exec-1', host: hostname() });
    const l = TargetLock.acquire(dir, 'k', 'exec-1');
    expect((statSync(l.file).mode & 0o777).toString(8)).toBe('600');
    l.release();
    expect(existsSync(l.file)).toBe(false);
  });
});
