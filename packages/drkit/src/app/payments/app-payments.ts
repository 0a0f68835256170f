import { StripePaymentEvents } from '../../adapters/stripe/index.js';
import type { AppPaymentsConfig } from '../../lab/app-config.js';
import type { Secrets } from '../../ports/secrets.js';

/** A payments config the app cannot use: HTTP 503 with what to fix, never a secret's value. */
export class PaymentsConfigError extends Error {}

/**
 * The app's side of its payment provider, from the `payments` section of its config: the
 * provider client (rebuilt when the section changes) and the webhook signing secret, both read
 * from the secrets store by name at use.
 */
export class AppPayments {
  private client: StripePaymentEvents | undefined;
  private clientKey = '';

  constructor(private readonly secrets: Secrets) {}

  /** The provider client for `cfg` (the API key is read on its first call). */
  provider(cfg: AppPaymentsConfig): StripePaymentEvents {
    const key = JSON.stringify([cfg.apiBase, cfg.flavour, cfg.apiKeySecret]);
    if (!this.client || key !== this.clientKey) {
      this.client = new StripePaymentEvents({
        apiKey: () => this.field(cfg.apiKeySecret, 'apiKey'),
        flavour: cfg.flavour,
        ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
      });
      this.clientKey = key;
    }
    return this.client;
  }

  /** The webhook endpoint's signing secret, read per delivery (a rotation takes effect). */
  webhookSecret(cfg: AppPaymentsConfig): Promise<string> {
    return this.field(cfg.webhookSecret, 'secret');
  }

  private async field(name: string, field: string): Promise<string> {
    const v = (
      await this.secrets.get(name).catch((err: Error) => {
        throw new PaymentsConfigError(`payments: secret ${name} unreadable: ${err.message}`);
      })
    )[field];
    if (typeof v !== 'string' || v === '')
      throw new PaymentsConfigError(`payments: secret ${name} has no '${field}'`);
    return v;
  }
}
