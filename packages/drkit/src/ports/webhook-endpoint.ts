import type { PaymentEvent } from './payment-events.js';

/**
 * The app's payment webhook endpoint as RB-N-06 replays into it: an HTTP POST of the event
 * re-signed with the endpoint's own secret (or a direct call of the app's processor), marked
 * replayed.
 *
 * Contract: `deliver` resolves with what the handler did — `applied`, `duplicate` (already
 * processed: nothing changed) or `dead-letter` (it could not process it; the reason is kept in
 * the app's dead-letter table). A signature the endpoint rejects is a `PreconditionError`
 * naming the secret (never its value); an endpoint that does not answer is a retryable
 * `DrError`. Delivering the same event twice changes nothing the second time (the handler is
 * idempotent).
 */
export interface WebhookEndpoint {
  readonly kind: string;
  deliver(event: PaymentEvent): Promise<DeliveryOutcome>;
  /** What `deliver` would do (dry run): the URL and the headers, never the secret. */
  planDeliver(event: PaymentEvent): string[];
}

/** What the handler did with a delivered event. */
export interface DeliveryOutcome {
  readonly outcome: 'applied' | 'duplicate' | 'dead-letter';
  readonly reason?: string;
}
