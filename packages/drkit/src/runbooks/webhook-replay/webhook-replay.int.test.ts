import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogNotifier } from '../../adapters/log-notifier/index.js';
import { PgClusterManager } from '../../adapters/postgres/pg-cluster-manager.js';
import { DirectWebhookProcessor, PgPaymentLedger } from '../../adapters/postgres-payments/index.js';
import { HttpWebhookEndpoint, StripePaymentEvents } from '../../adapters/stripe/index.js';
import { createPaymentsServer } from '../../app/payments/payments-server.js';
import { PAYMENTS_SCHEMA_SQL } from '../../app/payments/schema.js';
import { parseConfig } from '../../config/load.js';
import {
  CapabilityError,
  OutOfWindowError,
  PreconditionError,
  UsageError,
} from '../../engine/errors.js';
import { execute } from '../../engine/executor.js';
import { startLocalstripe, type LocalstripeServer } from '../../lab/localstripe-server.js';
import { APP_SCHEMA_SQL } from '../../lab/schema.js';
import type { PaymentEvent } from '../../ports/payment-events.js';
import type { WebhookEndpoint } from '../../ports/webhook-endpoint.js';
import { makeProvider } from '../../providers/provider.js';
import { freePort, waitFor } from '../../util/net.js';
import { webhookReplay, type WebhookReplayState } from './index.js';

/**
 * RB-N-06 on real servers: localstripe (the Stripe emulator, its signed webhooks tried once)
 * charges the sample app's checkouts; the app's webhook handler runs on PostgreSQL 15. The
 * outage is the webhook route answering 503 while checkouts go on.
 */
const SECRET = 'whsec_drkit_lab_secret';
let dir: string;
let mgr: PgClusterManager;
let ls: LocalstripeServer;
let pool: pg.Pool;
let app: ReturnType<typeof createPaymentsServer>;
let url: string;
let events: StripePaymentEvents;
let ledger: PgPaymentLedger;
let processor: DirectWebhookProcessor;
let notifier: LogNotifier;
let journalDir: string;
const config = parseConfig({});

const endpoint = (secret = SECRET) =>
  new HttpWebhookEndpoint({
    url: `${url}/webhooks/stripe`,
    secret: async () => secret,
    secretName: 'drkit/stripe-webhook',
  });

async function run(
  raw: Record<string, unknown>,
  /** `null`: no webhook endpoint bound (only the direct processor). */
  ep: WebhookEndpoint | null = endpoint(),
  dryRun = false,
) {
  const provider = makeProvider({
    provider: 'lab',
    config,
    journalDir,
    ports: {
      paymentEvents: () => events,
      ...(ep ? { webhookEndpoint: () => ep } : {}),
      webhookProcessor: () => processor,
      paymentLedger: () => ledger,
      notifier: () => notifier,
    },
  });
  const { runbook, state } = await webhookReplay.prepare(raw, provider, { config, journalDir });
  planned.length = 0;
  return await execute(runbook, state, {
    journalDir,
    yes: true,
    dryRun,
    onEvent: (e) => {
      if (e.type === 'plan') planned.push(...e.lines);
    },
  });
}
/** The plan lines of the last dry run. */
const planned: string[] = [];

async function checkout(amountCents = 1500): Promise<{ orderId: string; paymentId: string }> {
  const r = await fetch(`${url}/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 1, amountCents }),
  });
  expect(r.status).toBe(201);
  return (await r.json()) as { orderId: string; paymentId: string };
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

async function appState() {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    orders: await q(`SELECT id, status FROM orders ORDER BY id`),
    payments: await q(`SELECT order_id, provider_ref, amount_cents FROM payments ORDER BY id`),
    events: await q(`SELECT event_id, outcome, replayed FROM webhook_events ORDER BY event_id`),
    dead: await q(`SELECT event_id FROM webhook_dead_letters ORDER BY event_id`),
  };
}

/** localstripe delivers each webhook once, about a second after the event. */
const settle = () => new Promise((r) => setTimeout(r, 1600));

beforeAll(async () => {
  dir = mkdtempSync('/tmp/drkit-rb-n-06-');
  chmodSync(dir, 0o755); // the postgres user must traverse it
  journalDir = path.join(dir, 'journal');
  mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
  await mgr.create('app', { port: await freePort(), stanza: false });
  pool = new pg.Pool({ ...mgr.connectionConfig('app'), max: 4 });
  await pool.query(APP_SCHEMA_SQL);
  await pool.query(PAYMENTS_SCHEMA_SQL);
  await pool.query(`INSERT INTO users (email, name) VALUES ('buyer@example.test', 'Buyer')`);
  ls = await startLocalstripe();
  events = new StripePaymentEvents({
    apiKey: 'sk_test_lab',
    apiBase: ls.url,
    flavour: 'localstripe',
  });
  ledger = new PgPaymentLedger(async () => {
    const c = new pg.Client(mgr.connectionConfig('app'));
    await c.connect();
    return c;
  });
  processor = new DirectWebhookProcessor(async () => {
    const c = new pg.Client(mgr.connectionConfig('app'));
    await c.connect();
    return c;
  });
  app = createPaymentsServer({ pool, webhookSecret: async () => SECRET, payments: events });
  const port = await freePort();
  await new Promise<void>((r) => app.server.listen(port, '127.0.0.1', r));
  url = `http://127.0.0.1:${port}`;
  await ls.addWebhook('app', `${url}/webhooks/stripe`, SECRET, [
    'payment_intent.succeeded',
    'payment_intent.payment_failed',
  ]);
  notifier = new LogNotifier(path.join(dir, 'notifications.jsonl'));
});

afterAll(async () => {
  if (app) {
    app.server.closeAllConnections();
    await new Promise((r) => (app.server as http.Server).close(r));
  }
  await pool?.end();
  await ls?.stop();
  for (const c of mgr?.list() ?? []) {
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RB-N-06 webhook replay on localstripe', () => {
  it('GIVEN events missed in an outage WHEN RB-N-06 runs THEN each is applied exactly once, reconciled; a second run changes nothing', async () => {
    await checkout();
    await checkout();
    await waitFor(
      async () => (await count(`SELECT count(*) n FROM orders WHERE status='paid'`)) === 2,
      {
        timeoutMs: 10_000,
        what: 'live webhooks',
      },
    );
    app.setWebhookDown(true);
    const missed = [await checkout(), await checkout(), await checkout(), await checkout()];
    await settle();
    app.setWebhookDown(false);
    // a delivery after the endpoint came back moves the cursor past the gap
    await checkout();
    await settle();
    expect(await count(`SELECT count(*) n FROM orders WHERE status='awaiting_payment'`)).toBe(4);

    const res = await run({ ratePerSecond: '50' });
    expect(res.summary?.outcome).toBe('succeeded');
    const s = res.state as WebhookReplayState;
    expect(s).toMatchObject({ missed: 4, applied: 4, duplicates: 0, deadLettered: 0 });
    expect(s.startReason).toContain('oldest order awaiting payment');
    expect(s.reconcile).toMatchObject({ chargedNotPaid: [], paidWithoutPayment: [] });
    expect(await count(`SELECT count(*) n FROM orders WHERE status='paid'`)).toBe(7);
    for (const m of missed) {
      expect(
        await count(`SELECT count(*) n FROM payments WHERE provider_ref = $1`, [m.paymentId]),
      ).toBe(1);
    }
    expect(await count(`SELECT count(*) n FROM webhook_events WHERE replayed`)).toBe(4);

    const before = await appState();
    const again = await run({ ratePerSecond: '50' });
    expect(again.state).toMatchObject({ missed: 0, applied: 0 });
    expect(await appState()).toEqual(before);
    expect(readFileSync(notifier.file, 'utf8')).toContain(
      'RB-N-06 webhook replay: 4 applied, 0 unreconciled',
    );
  });

  it('GIVEN the same events delivered in opposite orders WHEN processed THEN the same final state (a failure never un-pays)', async () => {
    const ep = endpoint();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await pool.query<{ id: string }>(
        `INSERT INTO orders (user_id, amount_cents, status) VALUES (1, 900, 'awaiting_payment') RETURNING id::text`,
      );
      ids.push(r.rows[0]!.id);
    }
    const ev = (n: number, type: string, orderId: string): PaymentEvent => ({
      id: `evt_order_${orderId}_${type}_${n}`,
      type,
      created: Math.floor(Date.now() / 1000),
      raw: {
        id: `evt_order_${orderId}_${type}_${n}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: `pi_order_${orderId}`,
            object: 'payment_intent',
            amount: 900,
            metadata: { order_id: orderId },
          },
        },
      },
    });
    const [a, b, c, d] = ids as [string, string, string, string];
    for (const [o, first, second] of [
      [a, 'payment_intent.payment_failed', 'payment_intent.succeeded'],
      [b, 'payment_intent.payment_failed', 'payment_intent.succeeded'],
      [c, 'payment_intent.succeeded', 'payment_intent.payment_failed'],
      [d, 'payment_intent.succeeded', 'payment_intent.payment_failed'],
    ] as const) {
      expect((await ep.deliver(ev(1, first, o))).outcome).toBe('applied');
      expect((await ep.deliver(ev(1, second, o))).outcome).toBe('applied');
      expect((await ep.deliver(ev(1, second, o))).outcome).toBe('duplicate');
    }
    const rows = await pool.query(
      `SELECT o.status, count(p.*)::int AS payments FROM orders o LEFT JOIN payments p ON p.order_id = o.id WHERE o.id = ANY($1::bigint[]) GROUP BY o.id, o.status ORDER BY o.id`,
      [ids],
    );
    expect(rows.rows).toEqual(ids.map(() => ({ status: 'paid', payments: 1 })));
    // an event naming no order goes to the dead letters, with the reason
    expect((await ep.deliver(ev(1, 'payment_intent.succeeded', '999999'))).outcome).toBe(
      'dead-letter',
    );
    expect((await ledger.deadLetters()).map((x) => x.reason)).toEqual([
      'payment pi_order_999999 names order 999999, which does not exist',
    ]);
    await pool.query(
      `DELETE FROM webhook_dead_letters; UPDATE webhook_events SET outcome = 'applied'`,
    );
  });

  it('GIVEN planted mismatches WHEN reconciled THEN both are named (charged without a paid order, paid without a payment)', async () => {
    const planted = await pool.query<{ id: string }>(
      `INSERT INTO orders (user_id, amount_cents, status) VALUES (1, 700, 'paid') RETURNING id::text`,
    );
    app.setWebhookDown(true);
    const lost = await checkout(2500);
    await settle();
    app.setWebhookDown(false);
    const res = await run({ mode: 'reconcile-only', settleSeconds: '3' });
    const r = (res.state as WebhookReplayState).reconcile!;
    expect(r.chargedNotPaid).toEqual([{ paymentId: lost.paymentId, orderId: lost.orderId }]);
    expect(r.paidWithoutPayment).toContainEqual({
      orderId: planted.rows[0]!.id,
      paymentRef: undefined,
    });
    const note = readFileSync(notifier.file, 'utf8');
    expect(note).toContain(`Charged, order not paid: payment ${lost.paymentId}`);
    expect(note).toContain(`Paid order without a succeeded payment: order ${planted.rows[0]!.id}`);
    // the replay then closes the charged one
    await run({ ratePerSecond: '50' });
    expect(
      (await pool.query(`SELECT status FROM orders WHERE id = $1`, [lost.orderId])).rows[0],
    ).toEqual({ status: 'paid' });
    await pool.query(`DELETE FROM orders WHERE id = $1`, [planted.rows[0]!.id]);
  });

  it('GIVEN a bad signature WHEN posted THEN 400, recorded, nothing processed; a wrong replay secret stops RB-N-06 before any replay', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      type: 'payment_intent.succeeded',
      created: 1,
      data: { object: {} },
    });
    const forged = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_wrong',
    });
    const r = await fetch(`${url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': forged },
      body,
    });
    expect(r.status).toBe(400);
    expect(await count(`SELECT count(*) n FROM webhook_rejections`)).toBeGreaterThanOrEqual(1);
    expect(await count(`SELECT count(*) n FROM webhook_events WHERE event_id = 'evt_forged'`)).toBe(
      0,
    );

    app.setWebhookDown(true);
    await checkout();
    await settle();
    app.setWebhookDown(false);
    const before = await appState();
    const err = await run({}, endpoint('whsec_wrong')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toMatch(
      /rejected the signature made with drkit\/stripe-webhook/,
    );
    expect((err as Error).message).not.toContain('whsec_wrong');
    expect(await appState()).toEqual(before);
    await run({ ratePerSecond: '50' }); // leaves the world reconciled for the next case
  });

  it('GIVEN the route still down WHEN RB-N-06 runs with delivery=direct THEN the processor applies each missed event once, marked replayed, with no signature and no HTTP', async () => {
    app.setWebhookDown(true);
    const missed = [await checkout(), await checkout(), await checkout()];
    await settle();
    const refused = app.stats.refusedWhileDown;
    const replayedBefore = await count(`SELECT count(*) n FROM webhook_events WHERE replayed`);
    // no webhook endpoint bound at all: only the processor can reach the handler
    const plan = await run({ delivery: 'direct' }, null, true);
    expect(planned.join('\n')).toMatch(/3 of \d+ listed events would be replayed/);
    expect(planned.join('\n')).toMatch(
      /process evt_\w+ .* directly in .*no signature check, replayed=true/,
    );
    expect(plan.summary).toBeUndefined();
    const res = await run({ delivery: 'direct', ratePerSecond: '50' }, null);
    expect(res.summary?.outcome).toBe('succeeded');
    expect(res.state).toMatchObject({ delivery: 'direct', missed: 3, applied: 3, duplicates: 0 });
    // (the orders the ordering case paid with made-up payments stay paid without one)
    const rec = (res.state as WebhookReplayState).reconcile!;
    expect(rec.chargedNotPaid).toEqual([]);
    for (const m of missed) {
      expect(rec.paidWithoutPayment.map((x) => x.orderId)).not.toContain(m.orderId);
      expect(
        (await pool.query(`SELECT status FROM orders WHERE id = $1`, [m.orderId])).rows[0],
      ).toEqual({ status: 'paid' });
      expect(
        await count(`SELECT count(*) n FROM payments WHERE provider_ref = $1`, [m.paymentId]),
      ).toBe(1);
    }
    expect(await count(`SELECT count(*) n FROM webhook_events WHERE replayed`)).toBe(
      replayedBefore + 3,
    );
    // nothing went over HTTP: the route (still down) refused no more than the live deliveries
    expect(app.stats.refusedWhileDown).toBe(refused);
    const before = await appState();
    expect((await run({ delivery: 'direct' }, null)).state).toMatchObject({ applied: 0 });
    expect(await appState()).toEqual(before);
    app.setWebhookDown(false);
    // http without an endpoint bound: refused before anything runs, naming the way out
    const err = await run({}, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapabilityError);
    expect((err as CapabilityError).hint).toContain('delivery=direct');
    await expect(run({ delivery: 'pigeon' })).rejects.toThrow(/--param delivery/);
  });

  it('GIVEN bad inputs WHEN prepared THEN clear errors, nothing changed; the dry run lists what would be replayed', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const e = await run({ since: old }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutOfWindowError);
    expect((e as Error).message).toMatch(
      /30-day event retention: events are kept from \d{4}-\d\d-\d\dT/,
    );
    expect((e as OutOfWindowError).hint).toContain('mode=reconcile-only');
    await expect(run({ since: 'yesterday' })).rejects.toThrow(UsageError);
    await expect(run({ since: '2999-01-01T00:00:00Z' })).rejects.toThrow(/in the future/);
    await expect(run({ mode: 'sometimes' })).rejects.toThrow(/--param mode/);
    // reconcile-only accepts an old start
    expect((await run({ since: old, mode: 'reconcile-only' })).summary?.outcome).toBe('succeeded');

    app.setWebhookDown(true);
    const lost = await checkout();
    await settle();
    app.setWebhookDown(false);
    const before = await appState();
    const plan = await run({}, endpoint(), true);
    expect(plan.summary).toBeUndefined();
    expect(planned.join('\n')).toMatch(/1 of \d+ listed events would be replayed/);
    expect(planned.join('\n')).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/stripe body=evt_/,
    );
    expect(planned.join('\n')).not.toContain(SECRET);
    expect(await appState()).toEqual(before);
    expect(lost.paymentId).toMatch(/^pi_/);
  });
});
