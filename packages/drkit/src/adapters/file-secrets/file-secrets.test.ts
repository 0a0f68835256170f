import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import { FileSecrets } from './file-secrets.js';

describe('FileSecrets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drkit-secrets-'));
  const s = new FileSecrets(dir);

  it('puts, gets, replaces and lists', async () => {
    await s.put('drkit/app', { db: { host: '127.0.0.1', port: 5432 } });
    expect(await s.get('drkit/app')).toEqual({ db: { host: '127.0.0.1', port: 5432 } });
    await s.put('drkit/app', { db: { host: '127.0.0.1', port: 5433 } });
    expect((await s.get('drkit/app')).db).toEqual({ host: '127.0.0.1', port: 5433 });
    expect(await s.list()).toEqual(['drkit/app']);
    expect(statSync(s.fileOf('drkit/app')).mode & 0o777).toBe(0o600);
  });

  it('a missing secret is NotFoundError; a path-escaping name is UsageError', async () => {
    await expect(s.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.put('../etc/passwd', {})).rejects.toBeInstanceOf(UsageError);
  });
});
