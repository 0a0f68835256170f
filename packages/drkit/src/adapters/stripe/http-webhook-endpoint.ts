import Stripe from 'stripe';
import { DrError, PreconditionError } from '../../engine/errors.js';
import type { PaymentEvent } from '../../ports/payment-events.js';
import type { DeliveryOutcome, WebhookEndpoint } from '../../ports/webhook-endpoint.js';

/** Options of {@link HttpWebhookEndpoint}. */
export interface HttpWebhookEndpointOptions {
  /** The app's webhook URL, e.g. `http://127.0.0.1:8080/webhooks/stripe`. */
  readonly url: string;
  /** The endpoint's own signing secret (`whsec_…`), read when first needed; never logged. */
  readonly secret: () => Promise<string>;
  /** Where the secret lives, for plans and errors (its name, never its value). */
  readonly secretName: string;
  /** @default 10_000 */
  readonly timeoutMs?: number;
}

/**
 * Replays a provider event into the app's webhook endpoint over HTTP, exactly as the provider
 * would deliver it (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`, signed now with
 * the endpoint's own secret), plus `X-Drkit-Replayed: true` so the handler marks it replayed.
 */
export class HttpWebhookEndpoint implements WebhookEndpoint {
  readonly kind = 'http';
  private readonly signer = Stripe.webhooks;

  constructor(private readonly opts: HttpWebhookEndpointOptions) {}

  async deliver(event: PaymentEvent): Promise<DeliveryOutcome> {
    const payload = JSON.stringify(event.raw);
    const header = this.signer.generateTestHeaderString({
      payload,
      secret: await this.opts.secret(),
      timestamp: Math.floor(Date.now() / 1000),
    });
    let r: Response;
    try {
      r = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': header,
          'x-drkit-replayed': 'true',
        },
        body: payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new DrError('EXTERNAL', `webhook endpoint ${this.opts.url} did not answer`, {
        cause: err,
        retryable: true,
        hint: 'bring the endpoint back (RB-N-06 replays into the live handler), then resume',
      });
    }
    const body = (await r.json().catch(() => ({}))) as Partial<DeliveryOutcome> & {
      error?: string;
    };
    if (r.status === 400 && /signature/i.test(body.error ?? '')) {
      throw new PreconditionError(
        `webhook endpoint ${this.opts.url} rejected the signature made with ${this.opts.secretName}`,
        {
          hint: `the secret in ${this.opts.secretName} is not the endpoint's signing secret: fix it (nothing was replayed)`,
        },
      );
    }
    if (!r.ok || !body.outcome) {
      throw new DrError(
        'EXTERNAL',
        `webhook endpoint ${this.opts.url} answered HTTP ${r.status} for ${event.id}`,
        { retryable: r.status >= 500 || r.status === 429 },
      );
    }
    return { outcome: body.outcome, ...(body.reason ? { reason: body.reason } : {}) };
  }

  planDeliver(event: PaymentEvent): string[] {
    return [
      `POST ${this.opts.url} body=${event.id} (${event.type}, created ${new Date(event.created * 1000).toISOString()}) Stripe-Signature signed now with ${this.opts.secretName}, X-Drkit-Replayed: true`,
    ];
  }
}
