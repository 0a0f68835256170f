import type pg from 'pg';
import Stripe from 'stripe';

/** What the handler did with one event. */
export interface ProcessOutcome {
  readonly outcome: 'applied' | 'duplicate' | 'dead-letter';
  readonly reason?: string;
}

/** The fields of a provider event the handler reads. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly data: { readonly object: Record<string, unknown> };
}

/** A signature the handler refuses (HTTP 400). */
export class SignatureError extends Error {}

/**
 * Checks `Stripe-Signature` (HMAC-SHA256 of `t.body` with the endpoint's secret, at most
 * `toleranceSeconds` old) and parses the body. @throws SignatureError
 */
export function verifyWebhook(
  rawBody: string,
  header: string | undefined,
  secret: string,
  toleranceSeconds = 300,
): WebhookEvent {
  try {
    return Stripe.webhooks.constructEvent(
      rawBody,
      header ?? '',
      secret,
      toleranceSeconds,
    ) as unknown as WebhookEvent;
  } catch (err) {
    throw new SignatureError(`bad signature: ${(err as Error).message}`);
  }
}

/**
 * Processes one event idempotently: its id is recorded in the same transaction as its effect,
 * so a duplicate is a no-op; the effects do not depend on arrival order (a failure never
 * un-pays an order); an event naming no known order goes to the dead-letter table with the
 * reason. The newest processed event (created, id) is kept as the cursor.
 */
export async function processEvent(
  pool: pg.Pool,
  event: WebhookEvent,
  replayed: boolean,
): Promise<ProcessOutcome> {
  const c = await pool.connect();
  try {
    return await processEventOn(c, event, replayed);
  } finally {
    c.release();
  }
}

/**
 * {@link processEvent} on a connection the caller holds (RB-N-06's direct replay opens its
 * own): one transaction, rolled back on error.
 */
export async function processEventOn(
  c: pg.ClientBase,
  event: WebhookEvent,
  replayed: boolean,
): Promise<ProcessOutcome> {
  try {
    await c.query('BEGIN');
    const fresh = await c.query(
      `INSERT INTO webhook_events (event_id, type, created, replayed, outcome)
       VALUES ($1, $2, $3, $4, 'applied') ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [event.id, event.type, event.created, replayed],
    );
    if (fresh.rowCount !== 1) {
      await c.query('ROLLBACK');
      return { outcome: 'duplicate' };
    }
    const reason = await apply(c, event);
    if (reason !== undefined) {
      await c.query(`UPDATE webhook_events SET outcome = 'dead-letter' WHERE event_id = $1`, [
        event.id,
      ]);
      await c.query(
        `INSERT INTO webhook_dead_letters (event_id, type, reason, payload, replayed)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`,
        [event.id, event.type, reason, JSON.stringify(event), replayed],
      );
    }
    await c.query(
      `INSERT INTO webhook_cursor (id, event_id, created) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET event_id = EXCLUDED.event_id, created = EXCLUDED.created,
         updated_at = clock_timestamp()
       WHERE (webhook_cursor.created, webhook_cursor.event_id) < (EXCLUDED.created, EXCLUDED.event_id)`,
      [event.id, event.created],
    );
    await c.query('COMMIT');
    return reason === undefined ? { outcome: 'applied' } : { outcome: 'dead-letter', reason };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The event's effect; a reason when it cannot be processed. */
async function apply(c: pg.ClientBase, event: WebhookEvent): Promise<string | undefined> {
  if (event.type !== 'payment_intent.succeeded' && event.type !== 'payment_intent.payment_failed') {
    return undefined; // not an event this app acts on: recorded, nothing to do
  }
  const pi = event.data.object;
  const orderId = (pi.metadata as Record<string, string> | undefined)?.order_id;
  if (!orderId || !/^\d+$/.test(orderId)) return `payment ${String(pi.id)} names no order`;
  const o = await c.query<{ status: string; amount_cents: number }>(
    `SELECT status, amount_cents FROM orders WHERE id = $1 FOR UPDATE`,
    [orderId],
  );
  const order = o.rows[0];
  if (!order) return `payment ${String(pi.id)} names order ${orderId}, which does not exist`;
  if (event.type === 'payment_intent.payment_failed') {
    await c.query(
      `UPDATE orders SET status = 'payment_failed' WHERE id = $1 AND status <> 'paid'`,
      [orderId],
    );
    return undefined;
  }
  if (Number(pi.amount) !== order.amount_cents) {
    return `payment ${String(pi.id)} of ${String(pi.amount)} does not match order ${orderId} (${order.amount_cents})`;
  }
  await c.query(`UPDATE orders SET status = 'paid' WHERE id = $1`, [orderId]);
  await c.query(
    `INSERT INTO payments (order_id, amount_cents, provider_ref, status)
     SELECT $1, $2, $3, 'succeeded' WHERE NOT EXISTS (SELECT 1 FROM payments WHERE provider_ref = $3)`,
    [orderId, pi.amount, pi.id],
  );
  return undefined;
}
