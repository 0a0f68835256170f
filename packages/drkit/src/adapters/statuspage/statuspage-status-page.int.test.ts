import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DrError } from '../../engine/errors.js';
import { readRecording, startRecordedServer } from '../../testing/recorded-http.js';
import { StatuspageStatusPage } from './statuspage-status-page.js';

/**
 * The Statuspage adapter against recorded request/response pairs from the API's documentation
 * (fixtures/*.json, `source` says where each shape comes from), served by a real HTTP server
 * that checks every request against the recording (method, path, Authorization, JSON body).
 * No self-hostable server with this API exists, so this is the adapter's test.
 */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const KEY = '0123456789abcdef0123456789abcdef';
const PAGE = 'jb7j80lkgqvb';
const COMPONENT = '8kbf7d35c070';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function replay(fixture: string, minIntervalMs = 200) {
  const rec = readRecording(path.join(FIXTURES, fixture));
  const server = await startRecordedServer(rec.exchanges, {
    key: 'rb-n-02-20261202T103000Z-abc123',
  });
  close = server.close;
  const page = new StatuspageStatusPage({
    apiBase: server.url,
    pageId: PAGE,
    apiKey: KEY,
    apiKeyEnv: 'STATUSPAGE_API_KEY',
    components: { api: COMPONENT },
    minIntervalMs,
  });
  return { server, page };
}

const opening = {
  key: 'rb-n-02-20261202T103000Z-abc123',
  name: 'SEV declared: logical corruption on region-a',
  status: 'investigating' as const,
  body: 'Restoring the orders database to 10:29 UTC.',
  components: { api: 'major_outage' as const, database: 'major_outage' as const },
  deliverNotifications: false,
};

describe('StatuspageStatusPage (recorded documentation pairs)', () => {
  it('GIVEN no open incident with the key WHEN opened, identified, resolved THEN the recorded requests, spaced ≥ the 1 req/s pacing', async () => {
    const { server, page } = await replay('lifecycle.json', 300);
    expect(await page.open(opening)).toEqual({ id: 'p31zjtct2jer', created: true });
    await page.update('p31zjtct2jer', {
      status: 'identified',
      body: 'Cause identified: a bad migration at 10:29 UTC.',
      deliverNotifications: false,
    });
    await page.update('p31zjtct2jer', {
      status: 'resolved',
      body: 'Restored and verified.',
      components: { api: 'operational' },
      deliverNotifications: false,
    });
    expect(server.mismatches).toEqual([]);
    expect(server.remaining()).toBe(0);
    const gaps = server.seen.slice(1).map((s, i) => s.at - server.seen[i]!.at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(290);
  });

  it('GIVEN an unresolved incident carrying the key (a resumed run) WHEN opened THEN it is found and no POST is sent', async () => {
    const { server, page } = await replay('resume-finds-open.json');
    expect(await page.open(opening)).toEqual({ id: 'p31zjtct2jer', created: false });
    expect(server.mismatches).toEqual([]);
    expect(server.seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('GIVEN the API answers 420 then 429 (Retry-After: 1) WHEN opened THEN it backs off and succeeds with the same requests', async () => {
    const { server, page } = await replay('rate-limited.json', 100);
    const t0 = Date.now();
    expect(await page.open(opening)).toEqual({ id: 'p31zjtct2jer', created: true });
    expect(server.mismatches).toEqual([]);
    expect(server.remaining()).toBe(0);
    const at = server.seen.map((s) => s.at - t0);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190); // 420 without Retry-After: 2 × spacing
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(990); // 429 with Retry-After: 1 s
  });

  it('GIVEN a refused token (401) WHEN opened THEN a ConfigError names the variable, never the key', async () => {
    const { page } = await replay('unauthorized.json');
    const err = await page.open(opening).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as DrError).message).toBe(
      'Statuspage refused the API key in STATUSPAGE_API_KEY (401)',
    );
    expect((err as DrError).hint).toMatch(/set STATUSPAGE_API_KEY/);
    expect(JSON.stringify(err)).not.toContain(KEY);
  });

  it('GIVEN rate limiting that never ends WHEN opened THEN a retryable THROTTLED error after the attempts', async () => {
    const rec = readRecording(path.join(FIXTURES, 'rate-limited.json'));
    const server = await startRecordedServer([rec.exchanges[0]!, rec.exchanges[0]!]);
    close = server.close;
    const page = new StatuspageStatusPage({
      apiBase: server.url,
      pageId: PAGE,
      apiKey: KEY,
      apiKeyEnv: 'STATUSPAGE_API_KEY',
      minIntervalMs: 20,
      rateLimitAttempts: 2,
    });
    const err = (await page.open(opening).catch((e: unknown) => e)) as DrError;
    expect(err.code).toBe('THROTTLED');
    expect(err.retryable).toBe(true);
  });

  it('GIVEN a plan WHEN asked THEN the exact calls, deliver_notifications, and which components have no id', () => {
    const page = new StatuspageStatusPage({
      pageId: PAGE,
      apiKey: KEY,
      apiKeyEnv: 'K',
      components: { api: COMPONENT },
    });
    const lines = page.planOpen(opening).join('\n');
    expect(lines).toContain(
      `GET https://api.statuspage.io/v1/pages/${PAGE}/incidents/unresolved?per_page=100`,
    );
    expect(lines).toContain('deliver_notifications=false');
    expect(lines).toContain(`api(${COMPONENT})=major_outage`);
    expect(lines).toContain('database(no component id: not sent)=major_outage');
    expect(lines).not.toContain(KEY);
  });
});
