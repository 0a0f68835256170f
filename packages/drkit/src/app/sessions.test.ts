import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { bearer, readSessionEpoch, SESSIONS_SECRET, SessionEpoch, tokenHash } from './sessions.js';

const dirs: string[] = [];
const store = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'drkit-sessions-'));
  dirs.push(d);
  return new FileSecrets(d);
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sessions', () => {
  it('GIVEN no sessions secret THEN epoch 0; GIVEN one THEN its epoch', async () => {
    const s = store();
    expect(await readSessionEpoch(s)).toBe(0);
    await s.put(SESSIONS_SECRET, { epoch: 3 });
    expect(await readSessionEpoch(s)).toBe(3);
  });
  it('GIVEN the store breaks after a read THEN the task keeps the last epoch (never 0: that would revive signed-out sessions)', async () => {
    const s = store();
    await s.put(SESSIONS_SECRET, { epoch: 5 });
    const e = new SessionEpoch(s, 0);
    expect(await e.current()).toBe(5);
    writeFileSync(s.fileOf(SESSIONS_SECRET), 'not json');
    expect(await e.current()).toBe(5);
    // and a fresh task with a broken store refuses to guess
    await expect(new SessionEpoch(s, 0).current()).rejects.toThrow(/not a JSON object/);
  });
  it('GIVEN Authorization headers THEN only a hex bearer token is taken; tokens are stored hashed', () => {
    expect(bearer('Bearer abcdef0123456789abcdef')).toBe('abcdef0123456789abcdef');
    expect(bearer('Basic abcdef0123456789')).toBeUndefined();
    expect(bearer('Bearer not-hex-token-here!!')).toBeUndefined();
    expect(bearer(undefined)).toBeUndefined();
    expect(tokenHash('abc')).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash('abc')).not.toContain('abc');
  });
});
