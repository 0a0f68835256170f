/**
 * The payment provider's event log (Stripe's `/v1/events`): RB-N-06 lists what the webhook
 * endpoint missed, and reads the provider's payments to reconcile them with the app's orders.
 *
 * Contract:
 * - `listEvents` returns every page (paging with `starting_after`, never `ending_before`),
 *   each event once (deduplicated by id, whatever the pages overlap) and oldest first (by
 *   `created`, then id) whichever order the provider lists in.
 * - `since` older than the provider's event retention (`retentionDays`) is an
 *   `OutOfWindowError` naming the window, before any call.
 * - `listPayments` returns every payment created in the window, each once, oldest first.
 * - `createPayment` (the app's checkout) is idempotent by `idempotencyKey`.
 * - No method logs the API key; plans name the calls and filters only.
 */
export interface PaymentEvents {
  /** Adapter name, e.g. `stripe`, `localstripe`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<PaymentEventsCapability>;
  /** How far back the provider keeps events (Stripe: 30 days). */
  readonly retentionDays: number;
  listEvents(q: EventQuery): Promise<PaymentEvent[]>;
  planListEvents(q: EventQuery): string[];
  listPayments(q: { readonly since: number; readonly until?: number }): Promise<ProviderPayment[]>;
  planListPayments(q: { readonly since: number; readonly until?: number }): string[];
  createPayment(p: NewPayment): Promise<ProviderPayment>;
}

/**
 * `delivery-status`: can list only events whose webhook delivery failed (Stripe's
 * `delivery_success=false`); `created-filter`: filters payments by creation time server-side.
 */
export type PaymentEventsCapability = 'delivery-status' | 'created-filter';

/** Which events to list. Times are Unix seconds (the provider's `created`). */
export interface EventQuery {
  /** Events created at or after this. */
  readonly since: number;
  /** Events created at or before this. @default now */
  readonly until?: number;
  /** Only these types. @default every type */
  readonly types?: readonly string[];
  /** Only events whose delivery failed, where the provider can tell (`delivery-status`). @default false */
  readonly undeliveredOnly?: boolean;
  /** Page size. @default 100 */
  readonly pageSize?: number;
}

/** One provider event, as the provider would deliver it to the webhook endpoint. */
export interface PaymentEvent {
  readonly id: string;
  readonly type: string;
  /** Unix seconds. */
  readonly created: number;
  /** The event exactly as the provider serves it (the webhook body). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A payment at the provider (a Stripe PaymentIntent). */
export interface ProviderPayment {
  readonly id: string;
  readonly status: string;
  readonly amountCents: number;
  readonly currency: string;
  /** Unix seconds. */
  readonly created: number;
  /** The app's order id (`metadata.order_id`), when it set one. */
  readonly orderId: string | undefined;
}

/** A checkout's payment. */
export interface NewPayment {
  readonly amountCents: number;
  readonly currency: string;
  readonly orderId: string;
  readonly idempotencyKey: string;
  /** The payment method (test card in the lab, e.g. `pm_card_visa`). */
  readonly paymentMethod: string;
}
