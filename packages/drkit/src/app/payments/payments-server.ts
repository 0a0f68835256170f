import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import type { PaymentEvents } from '../../ports/payment-events.js';
import { processEvent, SignatureError, verifyWebhook } from './webhook-handler.js';

/** Options of {@link createPaymentsServer}. */
export interface PaymentsServerOptions {
  readonly pool: pg.Pool;
  /** The webhook endpoint's signing secret, read per request (a rotation takes effect). */
  readonly webhookSecret: () => Promise<string>;
  /** The payment provider the checkout charges through. */
  readonly payments: PaymentEvents;
  /** The lab's test card. @default 'pm_card_visa' */
  readonly paymentMethod?: string;
}

/**
 * The sample app as a payment client, over HTTP:
 * - `POST /checkout/pay {userId, amountCents}`: an order awaiting payment and a PaymentIntent
 *   at the provider naming it (`metadata.order_id`); the webhook marks it paid.
 * - `POST /webhooks/stripe`: verifies `Stripe-Signature` (400 and nothing recorded when it does
 *   not verify) and processes the event idempotently; `X-Drkit-Replayed: true` marks a replay.
 * - `setWebhookDown(true)`: the route answers 503 (a drill's outage).
 */
export function createPaymentsServer(o: PaymentsServerOptions) {
  let down = false;
  /** Webhook deliveries answered 503 while down: the events the provider failed to deliver. */
  const stats = { refusedWhileDown: 0 };
  const send = (res: http.ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      void (async () => {
        if (req.method === 'POST' && req.url === '/webhooks/stripe') {
          if (down) {
            stats.refusedWhileDown++;
            return send(res, 503, { error: 'webhook endpoint down' });
          }
          let event;
          try {
            const sig = req.headers['stripe-signature'];
            event = verifyWebhook(raw, Array.isArray(sig) ? sig[0] : sig, await o.webhookSecret());
          } catch (err) {
            if (!(err instanceof SignatureError)) throw err;
            await o.pool.query(`INSERT INTO webhook_rejections (reason) VALUES ($1)`, [
              err.message.slice(0, 500),
            ]);
            return send(res, 400, { error: err.message });
          }
          const replayed = req.headers['x-drkit-replayed'] === 'true';
          return send(res, 200, { ...(await processEvent(o.pool, event, replayed)) });
        }
        if (req.method === 'POST' && req.url === '/checkout/pay') {
          const b = JSON.parse(raw || '{}') as { userId?: number; amountCents?: number };
          const ref = randomUUID();
          const ord = await o.pool.query<{ id: string }>(
            `INSERT INTO orders (user_id, amount_cents, status, client_ref) VALUES ($1, $2, 'awaiting_payment', $3) RETURNING id::text`,
            [b.userId, b.amountCents, ref],
          );
          const orderId = ord.rows[0]!.id;
          const pi = await o.payments.createPayment({
            amountCents: Number(b.amountCents),
            currency: 'eur',
            orderId,
            idempotencyKey: ref,
            paymentMethod: o.paymentMethod ?? 'pm_card_visa',
          });
          return send(res, 201, { orderId, paymentId: pi.id, status: pi.status });
        }
        send(res, 404, { error: 'not found' });
      })().catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
    });
  });
  return {
    server,
    stats,
    setWebhookDown(on: boolean) {
      down = on;
    },
  };
}
