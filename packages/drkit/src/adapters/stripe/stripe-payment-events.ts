import Stripe from 'stripe';
import { DrError, OutOfWindowError, PreconditionError } from '../../engine/errors.js';
import type {
  EventQuery,
  NewPayment,
  PaymentEvent,
  PaymentEvents,
  PaymentEventsCapability,
  ProviderPayment,
} from '../../ports/payment-events.js';

/** Options of {@link StripePaymentEvents}. */
export interface StripePaymentEventsOptions {
  /** The secret API key (or how to read it, on first use): passed to the SDK only, never logged or planned. */
  readonly apiKey: string | (() => Promise<string>);
  /** Another API base (localstripe, stripe-mock), e.g. `http://127.0.0.1:8420`. @default Stripe */
  readonly apiBase?: string;
  /**
   * `localstripe`: the emulator answers 400 to parameters it does not know
   * (`delivery_success`, `created` on payment intents): those filters are applied here instead.
   * @default 'stripe'
   */
  readonly flavour?: 'stripe' | 'localstripe';
  /** @default 30 (Stripe keeps events 30 days) */
  readonly retentionDays?: number;
  /** SDK timeout per call. @default 20_000 */
  readonly timeoutMs?: number;
}

/**
 * The payment events port on Stripe's API (the official SDK), or on localstripe with its
 * quirks kept out of the results: events are deduplicated by id and sorted oldest first here,
 * whichever order the server lists in (Stripe: newest first; localstripe: oldest first), and
 * pages are followed with `starting_after` only.
 */
export class StripePaymentEvents implements PaymentEvents {
  readonly kind: string;
  readonly capabilities: ReadonlySet<PaymentEventsCapability>;
  readonly retentionDays: number;
  private sdk: Promise<Stripe> | undefined;
  private readonly base: string;
  private readonly config: Stripe.StripeConfig;

  constructor(opts: StripePaymentEventsOptions) {
    const local = opts.flavour === 'localstripe';
    this.kind = local ? 'localstripe' : 'stripe';
    this.capabilities = new Set<PaymentEventsCapability>(
      local ? [] : ['delivery-status', 'created-filter'],
    );
    this.retentionDays = opts.retentionDays ?? 30;
    const url = opts.apiBase ? new URL(opts.apiBase) : undefined;
    this.base = url ? url.origin : 'https://api.stripe.com';
    this.config = {
      maxNetworkRetries: 0, // retries belong to the engine
      timeout: opts.timeoutMs ?? 20_000,
      telemetry: false,
      ...(url
        ? {
            host: url.hostname,
            port: url.port || (url.protocol === 'https:' ? 443 : 80),
            protocol: url.protocol === 'https:' ? 'https' : 'http',
          }
        : {}),
    };
    const key = opts.apiKey;
    this.apiKey = typeof key === 'string' ? async () => key : key;
  }

  private readonly apiKey: () => Promise<string>;

  /** Refuses a start older than the retention window. @throws OutOfWindowError */
  checkWindow(since: number, now = Date.now()): void {
    const oldest = Math.floor(now / 1000) - this.retentionDays * 86_400;
    if (since < oldest) {
      throw new OutOfWindowError(
        `${new Date(since * 1000).toISOString()} is outside ${this.kind}'s ${this.retentionDays}-day event retention (${new Date(oldest * 1000).toISOString()} … now)`,
        {
          hint: 'events older than that are gone: run RB-N-06 with mode=reconcile-only to compare payments and orders instead',
          details: { since, oldest, retentionDays: this.retentionDays },
        },
      );
    }
  }

  private eventParams(q: EventQuery, startingAfter?: string): Record<string, unknown> {
    const created: Record<string, number> = { gte: q.since };
    if (q.until !== undefined) created.lte = q.until;
    return {
      limit: q.pageSize ?? 100,
      created,
      ...(q.types?.length === 1 ? { type: q.types[0] } : {}),
      ...(q.types && q.types.length > 1 && this.kind === 'stripe' ? { types: [...q.types] } : {}),
      ...(q.undeliveredOnly && this.capabilities.has('delivery-status')
        ? { delivery_success: false }
        : {}),
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    };
  }

  async listEvents(q: EventQuery): Promise<PaymentEvent[]> {
    this.checkWindow(q.since);
    const byId = new Map<string, PaymentEvent>();
    let after: string | undefined;
    for (;;) {
      const page = await this.call('GET /v1/events', (stripe) =>
        stripe.events.list(this.eventParams(q, after) as Stripe.EventListParams),
      );
      for (const e of page.data) {
        if (q.types && !q.types.includes(e.type)) continue;
        byId.set(e.id, {
          id: e.id,
          type: e.type,
          created: e.created,
          raw: e as unknown as Record<string, unknown>,
        });
      }
      if (!page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1]!.id;
    }
    return [...byId.values()].sort(oldestFirst);
  }

  planListEvents(q: EventQuery): string[] {
    const p = this.eventParams(q);
    const qs = Object.entries(p)
      .map(([k, v]) =>
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? Object.entries(v)
              .map(([kk, vv]) => `${k}[${kk}]=${String(vv)}`)
              .join('&')
          : `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`,
      )
      .join('&');
    return [
      `GET ${this.base}/v1/events?${qs} (every page, starting_after=<last id>; deduplicated by id, sorted oldest first)`,
      ...(q.undeliveredOnly && !this.capabilities.has('delivery-status')
        ? [`(${this.kind} cannot filter on delivery_success: every event in the window is listed)`]
        : []),
    ];
  }

  async listPayments(q: { since: number; until?: number }): Promise<ProviderPayment[]> {
    const byId = new Map<string, ProviderPayment>();
    let after: string | undefined;
    const server = this.capabilities.has('created-filter');
    for (;;) {
      const params: Record<string, unknown> = {
        limit: 100,
        ...(server ? { created: { gte: q.since, ...(q.until ? { lte: q.until } : {}) } } : {}),
        ...(after ? { starting_after: after } : {}),
      };
      const page = await this.call('GET /v1/payment_intents', (stripe) =>
        stripe.paymentIntents.list(params as Stripe.PaymentIntentListParams),
      );
      for (const pi of page.data) {
        if (pi.created < q.since || (q.until !== undefined && pi.created > q.until)) continue;
        byId.set(pi.id, toPayment(pi));
      }
      if (!page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1]!.id;
    }
    return [...byId.values()].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  planListPayments(q: { since: number; until?: number }): string[] {
    return [
      `GET ${this.base}/v1/payment_intents?limit=100${this.capabilities.has('created-filter') ? `&created[gte]=${q.since}` : ` (${this.kind}: created filtered here)`} (every page)`,
    ];
  }

  async createPayment(p: NewPayment): Promise<ProviderPayment> {
    const pi = await this.call('POST /v1/payment_intents', (stripe) =>
      stripe.paymentIntents.create(
        {
          amount: p.amountCents,
          currency: p.currency,
          payment_method: p.paymentMethod,
          confirm: true,
          metadata: { order_id: p.orderId },
          ...(this.kind === 'stripe'
            ? { automatic_payment_methods: { enabled: true, allow_redirects: 'never' } }
            : {}),
        },
        { idempotencyKey: p.idempotencyKey },
      ),
    );
    return toPayment(pi);
  }

  private async call<T>(what: string, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
    try {
      this.sdk ??= this.apiKey().then(
        (k) => new Stripe(k, this.config),
        (err: unknown) => {
          this.sdk = undefined; // a key fixed in its secret is read again next time
          throw err;
        },
      );
      return await fn(await this.sdk);
    } catch (err) {
      throw translateStripeError(err, what);
    }
  }
}

function oldestFirst(a: PaymentEvent, b: PaymentEvent): number {
  return a.created - b.created || a.id.localeCompare(b.id);
}

function toPayment(pi: Stripe.PaymentIntent): ProviderPayment {
  return {
    id: pi.id,
    status: pi.status,
    amountCents: pi.amount,
    currency: pi.currency,
    created: pi.created,
    orderId: pi.metadata?.order_id,
  };
}

/** A Stripe SDK error as a catalogue error (the key never appears: the SDK redacts it). */
export function translateStripeError(err: unknown, what: string): DrError {
  if (err instanceof DrError) return err;
  const e = err as { type?: string; statusCode?: number; message?: string; code?: string };
  const msg = `${what} failed${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.message ?? String(err)}`;
  if (e.type === 'StripeAuthenticationError' || e.statusCode === 401) {
    return new DrError('ACCESS_DENIED', msg, {
      cause: err,
      hint: 'check the API key in the payments secret',
    });
  }
  if (e.type === 'StripeRateLimitError' || e.statusCode === 429) {
    return new DrError('THROTTLED', msg, { cause: err, retryable: true });
  }
  if (e.type === 'StripeConnectionError' || (e.statusCode !== undefined && e.statusCode >= 500)) {
    return new DrError('EXTERNAL', msg, { cause: err, retryable: true });
  }
  if (e.type === 'StripeCardError') return new PreconditionError(msg, { cause: err });
  return new DrError('EXTERNAL', msg, { cause: err });
}
