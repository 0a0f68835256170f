import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inMaintenance, parseServersState, runtimeCommand } from '../adapters/haproxy/index.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';
import { sleep } from '../util/net.js';
import { readAppConfig, writeAppConfig } from './app-config.js';
import type { CheckoutRecord } from './checkout-workload.js';
import { APP_DATABASE, REGION_A_PRIMARY } from './lab.js';
import { localstripePid, readLabPayments } from './payments-lab.js';
import { regionProvider, type RegionProvider } from './regions.js';
import { startWorkloadProcess } from './workload-process.js';

/**
 * `lab up --payments` on a real lab (PostgreSQL, HAProxy, the app tasks, localstripe): the
 * app charges through localstripe, whose webhooks reach it through the front door; the front
 * door's webhooks backend can be put in maintenance alone; the workload checks out through
 * the front door; `lab down` stops localstripe.
 */
describe('lab payments (real PostgreSQL, HAProxy, localstripe)', () => {
  let fx: LabFixture;
  let regions: RegionProvider;
  let db: pg.Client;
  let upOutput = '';
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const checkout = async () => {
    const r = await post(`${regions.router.url}/checkout/pay`, { user_id: 1, amount_cents: 1234 });
    expect(r.status).toBe(201);
    return (await r.json()) as { orderId: string; paymentId: string };
  };
  const orderStatus = async (id: string) =>
    (await db.query<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [id])).rows[0]
      ?.status;
  const waitPaid = async (id: string) => {
    for (let i = 0; i < 100 && (await orderStatus(id)) !== 'paid'; i++) await sleep(100);
    return await orderStatus(id);
  };

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 20, ordersPerUser: 0, paymentsPerOrder: 0 },
        regions: { standby: false, appTasksA: 1, appTasksB: 1 },
      },
    });
    const r = await runCli(['--config', fx.configFile, 'lab', 'up', '--payments']);
    upOutput = r.stdout + r.stderr;
    expect(r.code, upOutput).toBe(0);
    regions = regionProvider(fx.provider);
    db = new pg.Client(fx.provider.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE));
    db.on('error', () => undefined); // a failed test leaves it open when the lab goes down
    await db.connect();
  }, 240_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('GIVEN lab up --payments THEN the app config names localstripe and the secrets, never their values, and localstripe delivers to the front door', async () => {
    const lab = readLabPayments(fx.provider)!;
    expect(lab.webhookUrl).toBe(`${regions.router.url}/webhooks/stripe`);
    expect(localstripePid(fx.provider)).toBeGreaterThan(0);
    const cfg = await readAppConfig(fx.provider.secrets);
    expect(cfg.payments).toEqual({
      apiBase: lab.apiBase,
      flavour: 'localstripe',
      apiKeySecret: 'drkit/payments-api-key',
      webhookSecret: 'drkit/stripe-webhook',
    });
    const whsec = (await fx.provider.secrets.get('drkit/stripe-webhook')).secret as string;
    const key = (await fx.provider.secrets.get('drkit/payments-api-key')).apiKey as string;
    expect(whsec).toMatch(/^whsec_/);
    const st = await runCli(['--config', fx.configFile, '--json', 'lab', 'status']);
    expect(st.code, st.stderr).toBe(0);
    const doc = JSON.parse(st.stdout) as { payments: { pid: number; webhookUrl: string } };
    expect(doc.payments.pid).toBe(localstripePid(fx.provider));
    expect(doc.payments.webhookUrl).toBe(lab.webhookUrl);
    for (const text of [JSON.stringify(cfg), upOutput, st.stdout]) {
      expect(text).not.toContain(whsec);
      expect(text).not.toContain(key);
    }
  });

  it('GIVEN a checkout through the front door WHEN localstripe delivers its webhook through the front door THEN the order is paid once', async () => {
    const { orderId, paymentId } = await checkout();
    expect(await waitPaid(orderId)).toBe('paid');
    const pay = await db.query(`SELECT provider_ref FROM payments WHERE order_id = $1`, [orderId]);
    expect(pay.rows).toEqual([{ provider_ref: paymentId }]);
  });

  it('GIVEN a delivery with a bad signature WHEN posted through the front door THEN 400 and the rejection recorded', async () => {
    const n = async () =>
      Number(
        (await db.query<{ n: string }>(`SELECT count(*) n FROM webhook_rejections`)).rows[0]!.n,
      );
    const before = await n();
    const r = await post(`${regions.router.url}/webhooks/stripe`, '{"id":"evt_x"}', {
      'stripe-signature': 't=1,v1=00',
    });
    expect(r.status).toBe(400);
    expect(await n()).toBe(before + 1);
  });

  it("GIVEN the front door's webhooks backend in maintenance THEN deliveries get 503 while checkouts go on, and after it the route serves again", async () => {
    const before = await regions.router.webhookResponses();
    await regions.router.setWebhooksDown(true);
    try {
      expect((await post(`${regions.router.url}/webhooks/stripe`, '{}')).status).toBe(503);
      expect((await fetch(`${regions.router.url}/healthz`)).status).toBe(200);
      const { orderId } = await checkout();
      await sleep(2500); // localstripe delivers ~1 s after the event: refused, never retried
      expect(await orderStatus(orderId)).toBe('awaiting_payment');
      const after = await regions.router.webhookResponses();
      expect(after['5xx'] - before['5xx']).toBeGreaterThanOrEqual(2);
    } finally {
      await regions.router.setWebhooksDown(false);
    }
    const { orderId } = await checkout();
    expect(await waitPaid(orderId)).toBe('paid');
  });

  it('GIVEN the front door routed to region B THEN webhooks follow it (A in maintenance in both backends), and back', async () => {
    const webhookServers = async () =>
      parseServersState(await runtimeCommand(regions.router.socket, 'show servers state webhooks'));
    await regions.router.routeTo('b', { assumeHealthy: ['b-1'] });
    try {
      const a1 = (await webhookServers()).find((x) => x.name === 'a-1')!;
      expect(inMaintenance(a1.adminState)).toBe(true);
      const { orderId } = await checkout();
      expect(await waitPaid(orderId)).toBe('paid');
    } finally {
      await regions.router.routeTo('a', { assumeHealthy: ['a-1'] });
    }
    expect((await webhookServers()).every((x) => !inMaintenance(x.adminState))).toBe(true);
  });

  it('GIVEN the workload with checkouts WHEN it runs THEN each acknowledged checkout is logged with its order, which exists', async () => {
    const logFile = path.join(fx.dir, 'checkouts.jsonl');
    const w = await startWorkloadProcess({
      frontDoor: regions.router.url,
      logFile: path.join(fx.dir, 'workload.jsonl'),
      rate: 1,
      maxUserId: 20,
      checkouts: { rate: 5, logFile },
    });
    await sleep(2000);
    await w.stop();
    const recs = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CheckoutRecord);
    const acks = recs.filter((r) => r.type === 'ack');
    expect(acks.length).toBeGreaterThanOrEqual(5);
    const ids = acks.map((a) => a.orderId);
    const found = await db.query(`SELECT id FROM orders WHERE id = ANY($1::bigint[])`, [ids]);
    expect(found.rowCount).toBe(ids.length);
    expect(acks.every((a) => a.paymentId.startsWith('pi_'))).toBe(true);
  });

  it('GIVEN an app config without payments THEN checkout answers 404 saying payments are off', async () => {
    const cfg = await readAppConfig(fx.provider.secrets);
    const { payments, ...rest } = cfg;
    await writeAppConfig(fx.provider.secrets, rest);
    try {
      await sleep(500); // the app re-reads its config every 200 ms
      const r = await post(`${regions.router.url}/checkout/pay`, { user_id: 1, amount_cents: 1 });
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/payments are off/);
    } finally {
      await writeAppConfig(fx.provider.secrets, { ...rest, payments: payments! });
    }
  });

  it('GIVEN lab down THEN localstripe is stopped', async () => {
    await db.end(); // the cluster stops too
    const r = await runCli(['--config', fx.configFile, 'lab', 'down']);
    expect(r.code, r.stderr).toBe(0);
    expect(localstripePid(fx.provider)).toBeUndefined();
  });
});
