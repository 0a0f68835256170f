import type pg from 'pg';
import type { DeadLetter, PaidOrder, PaymentLedger } from '../../ports/payment-ledger.js';

/**
 * The payment ledger port on the sample app's PostgreSQL: `webhook_cursor`, `webhook_events`,
 * `webhook_dead_letters`, `orders` and `payments`. Reads only; one connection per call.
 */
export class PgPaymentLedger implements PaymentLedger {
  readonly kind = 'postgres';

  constructor(private readonly connect: () => Promise<pg.Client>) {}

  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const c = await this.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  async lastProcessed() {
    const r = await this.q<{ event_id: string; created: string }>(
      `SELECT event_id, created FROM webhook_cursor WHERE id = 1`,
    );
    return r[0] ? { id: r[0].event_id, created: Number(r[0].created) } : undefined;
  }

  async processed(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const r = await this.q<{ event_id: string }>(
      `SELECT event_id FROM webhook_events WHERE event_id = ANY($1::text[])`,
      [ids],
    );
    return new Set(r.map((x) => x.event_id));
  }

  async paidOrders(since: number): Promise<PaidOrder[]> {
    const r = await this.q<{
      id: string;
      provider_ref: string | null;
      amount_cents: number;
      created: string;
    }>(
      `SELECT o.id::text, p.provider_ref, o.amount_cents, extract(epoch FROM o.created_at)::float8 AS created FROM orders o
       LEFT JOIN payments p ON p.order_id = o.id
       WHERE o.status = 'paid' AND o.created_at >= to_timestamp($1) ORDER BY o.id`,
      [since],
    );
    return r.map((x) => ({
      orderId: x.id,
      paymentRef: x.provider_ref ?? undefined,
      amountCents: x.amount_cents,
      created: Number(x.created),
    }));
  }

  async unpaidOrders(since: number): Promise<string[]> {
    const r = await this.q<{ id: string }>(
      `SELECT id::text FROM orders WHERE status = 'awaiting_payment' AND created_at >= to_timestamp($1) ORDER BY id`,
      [since],
    );
    return r.map((x) => x.id);
  }

  async oldestUnpaid(): Promise<number | undefined> {
    const r = await this.q<{ t: string | null }>(
      `SELECT floor(extract(epoch FROM min(created_at)))::bigint AS t FROM orders WHERE status = 'awaiting_payment'`,
    );
    return r[0]?.t ? Number(r[0].t) : undefined;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const r = await this.q<{
      event_id: string;
      type: string;
      reason: string;
      replayed: boolean;
      at: Date;
    }>(`SELECT event_id, type, reason, replayed, at FROM webhook_dead_letters ORDER BY at`);
    return r.map((x) => ({
      eventId: x.event_id,
      type: x.type,
      reason: x.reason,
      replayed: x.replayed,
      at: x.at,
    }));
  }
}
