import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaproxyRouter } from '../adapters/haproxy/index.js';
import { LabStatusPage } from '../adapters/lab-status-page/index.js';
import { incidentPaths } from '../incidents/paths.js';
import { makeLabFixture, type LabFixture } from '../testing/lab-fixture.js';
import { freePort } from '../util/net.js';
import { startLabStatusPage, statusPageProcess } from './status-page-lab.js';

/**
 * The lab's status page behind the real front door (HAProxy, the distribution's) while the
 * API is down: `/status` and `/api/v2/summary.json` are served by the status page process (a
 * detached `node` process, as `lab up` starts it) from the page file the runbooks write
 * through the status page port; every other path gets HAProxy's 503.
 */
let fx: LabFixture;
let router: HaproxyRouter;
let front: string;

beforeAll(async () => {
  fx = makeLabFixture({});
  const statusPort = await freePort();
  const deadApp = await freePort(); // nothing listens: the API is out
  router = new HaproxyRouter({
    dir: path.join(fx.provider.paths.labDir, 'haproxy'),
    port: await freePort(),
    servers: [{ name: 'a-1', region: 'a', host: '127.0.0.1', port: deadApp, backup: false }],
    health: { intervalMs: 200, fall: 1, rise: 1, timeoutMs: 100 },
    primaryRegion: 'a',
    statusPagePort: statusPort,
  });
  front = router.url;
  expect(await startLabStatusPage(fx.provider, fx.config, statusPort, front)).toBe(true);
  await router.start();
}, 60_000);
afterAll(async () => {
  await router?.stop();
  if (fx) await statusPageProcess(fx.provider).stop();
  await fx?.cleanup();
});

describe('lab status page through the front door', () => {
  it('GIVEN the API down and a SEV1 opened on the page WHEN read through the front door THEN summary.json and /status show it; the API answers 503', async () => {
    const page = new LabStatusPage(incidentPaths(fx.provider.paths.stateDir).statusPage, {
      name: 'drkit lab',
      components: ['api', 'database'],
    });
    const { id } = await page.open({
      key: 'exec-1',
      name: 'Orders API unavailable',
      status: 'investigating',
      body: 'API isolated while we investigate.',
      components: { api: 'major_outage' },
      deliverNotifications: false,
    });
    const api = await fetch(`${front}/orders`);
    expect(api.status).toBe(503);
    const res = await fetch(`${front}/api/v2/summary.json`);
    expect(res.status).toBe(200);
    const s = (await res.json()) as {
      page: { name: string; url: string };
      status: { indicator: string; description: string };
      components: Array<{ name: string; status: string }>;
      incidents: Array<{
        id: string;
        name: string;
        status: string;
        impact: string;
        incident_updates: unknown[];
      }>;
    };
    expect(s.page).toMatchObject({ name: 'drkit lab', url: front });
    expect(s.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(s.components.map((c) => [c.name, c.status])).toEqual([
      ['api', 'major_outage'],
      ['database', 'operational'],
    ]);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]).toMatchObject({ id, status: 'investigating', impact: 'critical' });
    const html = await (await fetch(`${front}/status`)).text();
    expect(html).toContain('Orders API unavailable');
    expect(html).toContain('Major System Outage');

    await page.update(id, {
      status: 'resolved',
      body: 'Back.',
      components: { api: 'operational' },
      deliverNotifications: false,
    });
    const after = (await (await fetch(`${front}/api/v2/summary.json`)).json()) as typeof s;
    expect(after.status.indicator).toBe('none');
    expect(after.incidents).toEqual([]);
  });
});
