import type { Endpoint } from '../ports/database.js';
import type { Secrets } from '../ports/secrets.js';

/** The secret the application reads at run time. */
export const APP_CONFIG_SECRET = 'drkit/app';

/** What the application reads from {@link APP_CONFIG_SECRET}. */
export interface AppConfig {
  /** Cluster id the endpoint belongs to (for measurements and reports). */
  readonly dbClusterId: string;
  readonly db: Endpoint;
  /** The seed's feature flag: when true the application refuses writes. */
  readonly global_readonly: boolean;
  /** Where `GET /search` reads from; absent: the app searches its database. */
  readonly search?: AppSearchConfig;
  /** The payment provider the app charges through; absent: no `/checkout/pay`, no webhooks. */
  readonly payments?: AppPaymentsConfig;
  /** The read-through cache of the app's reads; absent: every read goes to the database. */
  readonly cache?: AppCacheConfig;
}

/**
 * The app's cache, read at run time like the database endpoint: Redis at `host:port`, the
 * app's keys all under `prefix` (the cache may be shared: a recovery flushes the prefix only).
 */
export interface AppCacheConfig {
  readonly host: string;
  readonly port: number;
  /** Every key the app writes starts with it, e.g. `app:`. */
  readonly prefix: string;
  /** Seconds a cached read lives. @default 300 */
  readonly ttlSeconds?: number;
}

/**
 * The app's payment provider, read at run time. Secrets are named, never held: the app reads
 * them from its secrets store per use (a rotation takes effect at once) and never logs them.
 */
export interface AppPaymentsConfig {
  /** Stripe API base, e.g. localstripe's `http://127.0.0.1:P`. @default Stripe's */
  readonly apiBase?: string;
  /** `localstripe` keeps the emulator's quirks out (see StripePaymentEvents). */
  readonly flavour: 'stripe' | 'localstripe';
  /** Secret holding `{ "apiKey": "sk_…" }`. */
  readonly apiKeySecret: string;
  /** Secret holding the webhook endpoint's signing secret `{ "secret": "whsec_…" }`. */
  readonly webhookSecret: string;
}

/** The app's search cluster, read at run time like the database endpoint. */
export interface AppSearchConfig {
  /** e.g. `http://127.0.0.1:8108`. */
  readonly url: string;
  /**
   * A key allowed to search and to upsert people documents (the app's write path keeps the index
   * current after each committed change to a person).
   */
  readonly apiKey: string;
  /** The alias searched (RB-N-04 swaps its target). @default 'people' */
  readonly alias?: string;
  /** Set by RB-N-04 while only the hot slices are in: the app says its results are partial. */
  readonly partial?: boolean;
}

/** Reads the app's runtime config. @throws NotFoundError */
export async function readAppConfig(
  secrets: Secrets,
  name = APP_CONFIG_SECRET,
): Promise<AppConfig> {
  return (await secrets.get(name)) as unknown as AppConfig;
}

/** Replaces the app's runtime config (the app picks it up without a restart). */
export async function writeAppConfig(
  secrets: Secrets,
  cfg: AppConfig,
  name = APP_CONFIG_SECRET,
): Promise<void> {
  await secrets.put(name, cfg as unknown as Record<string, unknown>);
}
