import type pg from 'pg';
import { processEventOn, type WebhookEvent } from '../../app/payments/webhook-handler.js';
import type { PaymentEvent } from '../../ports/payment-events.js';
import type { DeliveryOutcome, WebhookEndpoint } from '../../ports/webhook-endpoint.js';

/**
 * RB-N-06's direct replay: the app's webhook processing function called on the app's database,
 * skipping the HTTP route and its signature check (the event comes from the provider's API,
 * read with the API key), marked `replayed`. For an endpoint that is still down or a secret
 * that is lost; the same idempotent transaction as a live delivery, so a duplicate is a no-op.
 */
export class DirectWebhookProcessor implements WebhookEndpoint {
  readonly kind = 'direct';

  /** @param connect opens a connection to the app's database (closed after each event) */
  constructor(
    private readonly connect: () => Promise<pg.Client>,
    /** Where the processor runs, for plans (e.g. the database endpoint's name). */
    private readonly where = "the app's database",
  ) {}

  async deliver(event: PaymentEvent): Promise<DeliveryOutcome> {
    const c = await this.connect();
    try {
      const r = await processEventOn(c, event.raw as unknown as WebhookEvent, true);
      return { outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
    } finally {
      await c.end();
    }
  }

  planDeliver(event: PaymentEvent): string[] {
    return [
      `process ${event.id} (${event.type}, created ${new Date(event.created * 1000).toISOString()}) directly in ${this.where}: no signature check, replayed=true`,
    ];
  }
}
