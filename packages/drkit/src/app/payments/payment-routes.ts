import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PaymentEvents } from '../../ports/payment-events.js';
import { processEvent, SignatureError, verifyWebhook } from './webhook-handler.js';

/** What a payment route answers: an HTTP status and a JSON body. */
export type RouteAnswer = [number, Record<string, unknown>];

/** A checkout's input (`POST /checkout/pay`). */
export interface CheckoutInput {
  readonly userId: number;
  readonly amountCents: number;
  /** The lab's test card. @default 'pm_card_visa' */
  readonly paymentMethod?: string;
}

/**
 * `POST /checkout/pay`: an order awaiting payment, then a PaymentIntent at the provider naming
 * it (`metadata.order_id`, the order's `client_ref` as idempotency key); the webhook marks the
 * order paid. Answers 201 `{orderId, paymentId, status}`.
 */
export async function checkoutPay(
  pool: pg.Pool,
  payments: PaymentEvents,
  b: CheckoutInput,
): Promise<RouteAnswer> {
  const ref = randomUUID();
  const ord = await pool.query<{ id: string }>(
    `INSERT INTO orders (user_id, amount_cents, status, client_ref) VALUES ($1, $2, 'awaiting_payment', $3) RETURNING id::text`,
    [b.userId, b.amountCents, ref],
  );
  const orderId = ord.rows[0]!.id;
  const pi = await payments.createPayment({
    amountCents: b.amountCents,
    currency: 'eur',
    orderId,
    idempotencyKey: ref,
    paymentMethod: b.paymentMethod ?? 'pm_card_visa',
  });
  return [201, { orderId, paymentId: pi.id, status: pi.status }];
}

/**
 * `POST /webhooks/stripe`: verifies `Stripe-Signature` against `secret` (400, the reason
 * recorded in `webhook_rejections`, nothing else changed when it does not verify), then
 * processes the event idempotently; `replayed` comes from `X-Drkit-Replayed: true`.
 */
export async function receiveWebhook(
  pool: pg.Pool,
  rawBody: string,
  signature: string | string[] | undefined,
  secret: string,
  replayed: boolean,
): Promise<RouteAnswer> {
  let event;
  try {
    event = verifyWebhook(rawBody, Array.isArray(signature) ? signature[0] : signature, secret);
  } catch (err) {
    if (!(err instanceof SignatureError)) throw err;
    await pool.query(`INSERT INTO webhook_rejections (reason) VALUES ($1)`, [
      err.message.slice(0, 500),
    ]);
    return [400, { error: err.message }];
  }
  return [200, { ...(await processEvent(pool, event, replayed)) }];
}
