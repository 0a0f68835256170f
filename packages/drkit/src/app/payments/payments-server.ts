import http from 'node:http';
import type pg from 'pg';
import type { PaymentEvents } from '../../ports/payment-events.js';
import { checkoutPay, receiveWebhook } from './payment-routes.js';

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
 * The payment routes of the sample app (see payment-routes.ts) as a server of their own, for
 * tests that need no lab (the lab's app serves the same routes behind the front door):
 * - `POST /checkout/pay {userId, amountCents}`: an order awaiting payment and a PaymentIntent
 *   at the provider naming it (`metadata.order_id`); the webhook marks it paid.
 * - `POST /webhooks/stripe`: verifies `Stripe-Signature` (400, only the rejection recorded, when
 *   it does not verify) and processes the event idempotently; `X-Drkit-Replayed: true` marks a replay.
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
          const replayed = req.headers['x-drkit-replayed'] === 'true';
          const sig = req.headers['stripe-signature'];
          return send(
            res,
            ...(await receiveWebhook(o.pool, raw, sig, await o.webhookSecret(), replayed)),
          );
        }
        if (req.method === 'POST' && req.url === '/checkout/pay') {
          const b = JSON.parse(raw || '{}') as { userId?: number; amountCents?: number };
          return send(
            res,
            ...(await checkoutPay(o.pool, o.payments, {
              userId: Number(b.userId),
              amountCents: Number(b.amountCents),
              ...(o.paymentMethod ? { paymentMethod: o.paymentMethod } : {}),
            })),
          );
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
