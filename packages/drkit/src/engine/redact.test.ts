import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redact, redactString, REDACTED, rememberSecretValues } from './redact.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('replaces values under secret keys at any depth, keeps names of secrets', () => {
    const out = redact({
      appConfigSecret: 'drkit/app',
      rotateSecrets: ['radiant-production-db'],
      db: { host: 'h', port: 5432, password: 'p4ssw0rd!' },
      list: [{ apiKey: 'k-123456', SessionToken: 't-123456' }],
    });
    expect(out).toEqual({
      appConfigSecret: 'drkit/app',
      rotateSecrets: ['radiant-production-db'],
      db: { host: 'h', port: 5432, password: REDACTED },
      list: [{ apiKey: REDACTED, SessionToken: REDACTED }],
    });
  });

  it('replaces values read from a secret store wherever they appear', () => {
    rememberSecretValues({ host: 'db.internal', db: { password: 'canary-0e5c1f' } });
    expect(redactString('psql failed: password canary-0e5c1f rejected for db.internal')).toBe(
      `psql failed: password ${REDACTED} rejected for db.internal`,
    );
    expect(redact({ note: 'x canary-0e5c1f y' })).toEqual({ note: `x ${REDACTED} y` });
  });

  it('replaces the password of a URL', () => {
    expect(redactString('postgres://app:s3cret@h:5432/db')).toBe(
      `postgres://app:${REDACTED}@h:5432/db`,
    );
  });
});
