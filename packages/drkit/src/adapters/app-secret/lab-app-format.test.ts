import { describe, expect, it } from 'vitest';
import { LAB_APP_FORMAT } from './lab-app-format.js';

describe('LAB_APP_FORMAT', () => {
  const secret = {
    dbClusterId: 'old',
    db: { host: '127.0.0.1', port: 5432, database: 'app', user: 'app', password: 'pw-canary' },
    global_readonly: false,
    extra: { keep: true },
  };

  it('views the endpoint without the password', () => {
    expect(LAB_APP_FORMAT.view(secret).endpoint).toEqual({
      host: '127.0.0.1',
      port: 5432,
      database: 'app',
      user: 'app',
    });
  });

  it('a swap keeps every field it does not own (the password too)', () => {
    const next = LAB_APP_FORMAT.point(secret, 'new', {
      host: '127.0.0.1',
      port: 6543,
      database: 'postgres',
      user: 'app',
    });
    expect(next).toEqual({
      dbClusterId: 'new',
      db: { host: '127.0.0.1', port: 6543, database: 'app', user: 'app', password: 'pw-canary' },
      global_readonly: false,
      extra: { keep: true },
    });
  });
});
