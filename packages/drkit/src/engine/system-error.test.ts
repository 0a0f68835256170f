import { describe, expect, it } from 'vitest';
import { DrError, exitCodeFor } from './errors.js';
import { fromSystemError } from './system-error.js';

function errno(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code}: something`), { code, ...extra });
}

describe('fromSystemError', () => {
  it.each([
    ['EACCES', 8],
    ['EPERM', 8],
    ['ENOTDIR', 2],
    ['EISDIR', 2],
    ['ECONNREFUSED', 12],
    ['ENOTFOUND', 12],
  ])('%s becomes a DrError with a hint and exit code %i (not a bare exit 1)', (code, exit) => {
    const e = fromSystemError(errno(code));
    expect(e).toBeInstanceOf(DrError);
    expect((e as DrError).hint).toBeTruthy();
    expect(exitCodeFor(e)).toBe(exit);
  });

  it('reads the code of an AggregateError (net.connect to several addresses)', () => {
    const e = fromSystemError(new AggregateError([errno('ECONNREFUSED')], 'connect failed'));
    expect(exitCodeFor(e)).toBe(12);
  });

  it('a missing program is a missing dependency', () => {
    const e = fromSystemError(errno('ENOENT', { syscall: 'spawn pgbackrest', path: 'pgbackrest' }));
    expect(exitCodeFor(e)).toBe(10);
    expect((e as Error).message).toContain('pgbackrest');
  });

  it('leaves DrErrors and unknown errors alone', () => {
    const d = new DrError('CONFLICT', 'x');
    expect(fromSystemError(d)).toBe(d);
    const plain = new Error('plain');
    expect(fromSystemError(plain)).toBe(plain);
  });
});
