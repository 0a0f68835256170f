import type pg from 'pg';
import { DirectWebhookProcessor, PgPaymentLedger } from '../adapters/postgres-payments/index.js';
import { HttpWebhookEndpoint, StripePaymentEvents } from '../adapters/stripe/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { PreconditionError } from '../engine/errors.js';
import type { Secrets } from '../ports/secrets.js';

/** One string field of a secret. @throws PreconditionError naming the field, never a value */
async function secretField(secrets: Secrets, name: string, field: string): Promise<string> {
  const v = (await secrets.get(name))[field];
  if (typeof v !== 'string' || v === '') {
    throw new PreconditionError(`secret ${name} has no '${field}'`, {
      hint: `store {"${field}": "…"} there (see payments.* in the config)`,
    });
  }
  return v;
}

/** The payment provider's events and payments, with the API key from `secrets`. */
export function paymentEvents(config: DrkitConfig, secrets: Secrets): StripePaymentEvents {
  const p = config.payments;
  return new StripePaymentEvents({
    apiKey: () => secretField(secrets, p.apiKeySecret, 'apiKey'),
    flavour: p.flavour,
    retentionDays: p.retentionDays,
    ...(p.apiBase ? { apiBase: p.apiBase } : {}),
  });
}

/** What a provider says when `payments.webhookUrl` is not set. */
export const NO_WEBHOOK_URL = {
  what: 'payment webhook endpoint configured',
  hint: 'set payments.webhookUrl (and the payments.webhookSecret secret) in the config',
};

/** The app's webhook endpoint (`payments.webhookUrl`), signed with its secret from `secrets`. */
export function webhookEndpoint(config: DrkitConfig, secrets: Secrets): HttpWebhookEndpoint {
  const p = config.payments;
  return new HttpWebhookEndpoint({
    url: p.webhookUrl!,
    secret: () => secretField(secrets, p.webhookSecret, 'secret'),
    secretName: p.webhookSecret,
  });
}

/** The app's payment ledger in the database `connect` opens. */
export function paymentLedger(connect: () => Promise<pg.Client>): PgPaymentLedger {
  return new PgPaymentLedger(connect);
}

/** The app's webhook processor called directly in the database `connect` opens (RB-N-06 `delivery=direct`). */
export function webhookProcessor(connect: () => Promise<pg.Client>): DirectWebhookProcessor {
  return new DirectWebhookProcessor(connect);
}
