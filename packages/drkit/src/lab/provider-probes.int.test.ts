import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { writeAppConfig } from './app-config.js';
import { startMailpit, type MailpitServer } from './mailpit-server.js';
import { providerUpSamples } from './provider-probes.js';
import { labProvider, type LabProvider } from './provider.js';
import { startTypesenseServer, type TypesenseServer } from './typesense-server.js';

/**
 * `drkit_provider_up` against the real providers: a Typesense 0.24.1 server (search) and a
 * mailpit SMTP relay (email), named the way the lab's app finds them (the app config's search
 * section, the active mail provider's secret). Up while they run, 0 once stopped; a provider
 * the app does not use has no series.
 */
describe('drkit_provider_up (search: Typesense, email: mailpit)', () => {
  let dir: string;
  let p: LabProvider;
  let ts: TypesenseServer;
  let mp: MailpitServer;
  const config = () =>
    parseConfig({
      stateDir: path.join(dir, 'state'),
      mail: { activeSecret: 'drkit/mail-provider' },
    });
  const up = async () =>
    Object.fromEntries(
      (await providerUpSamples(p, config())).map((s) => [s.labels.component, s.value]),
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'drkit-probes-'));
    chmodSync(dir, 0o755);
    p = labProvider(config(), dir);
    [ts, mp] = await Promise.all([
      startTypesenseServer({ dataDir: path.join(dir, 'typesense') }),
      startMailpit(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await ts?.stop();
    await mp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN an app that uses neither WHEN probed THEN no series (absent, not down)', async () => {
    expect(await providerUpSamples(p, config())).toEqual([]);
  });

  it('GIVEN both running and named WHEN probed THEN both are up with their endpoint as target', async () => {
    await writeAppConfig(p.secrets, {
      dbClusterId: 'region-a',
      db: { host: '127.0.0.1', port: 1, database: 'app', user: 'app' },
      global_readonly: false,
      search: { url: ts.url, apiKey: ts.apiKey },
    });
    await p.secrets.put('drkit/mail-provider', {
      kind: 'smtp',
      host: mp.host,
      port: mp.smtpPort,
    });
    const samples = await providerUpSamples(p, config());
    expect(samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['drkit_provider_up', { component: 'search', target: `127.0.0.1:${ts.port}` }, 1],
      ['drkit_provider_up', { component: 'email', target: `127.0.0.1:${mp.smtpPort}` }, 1],
    ]);
  });

  it('GIVEN a wrong search key WHEN probed THEN search is down (the app could not use it)', async () => {
    await writeAppConfig(p.secrets, {
      dbClusterId: 'region-a',
      db: { host: '127.0.0.1', port: 1, database: 'app', user: 'app' },
      global_readonly: false,
      search: { url: ts.url, apiKey: 'wrong' },
    });
    expect(await up()).toEqual({ search: 0, email: 1 });
  });

  it('GIVEN both stopped WHEN probed THEN both are 0, within the probe timeout', async () => {
    await writeAppConfig(p.secrets, {
      dbClusterId: 'region-a',
      db: { host: '127.0.0.1', port: 1, database: 'app', user: 'app' },
      global_readonly: false,
      search: { url: ts.url, apiKey: ts.apiKey },
    });
    await Promise.all([ts.stop(), mp.stop()]);
    const t0 = Date.now();
    expect(await up()).toEqual({ search: 0, email: 0 });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
