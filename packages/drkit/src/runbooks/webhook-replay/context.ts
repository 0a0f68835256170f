import { CapabilityError, OutOfWindowError, UsageError } from '../../engine/errors.js';
import type { Notifier } from '../../ports/notifier.js';
import type { PaymentEvents } from '../../ports/payment-events.js';
import type { PaymentLedger } from '../../ports/payment-ledger.js';
import type { WebhookEndpoint } from '../../ports/webhook-endpoint.js';
import type { NotifyState } from '../shared/steps/notify.js';

/** The ports RB-N-06 runs against. */
export interface WebhookReplayDeps {
  readonly events: PaymentEvents;
  /** The app's webhook route (`delivery=http`). */
  readonly endpoint?: WebhookEndpoint;
  /** The app's processing function called directly (`delivery=direct`). */
  readonly processor?: WebhookEndpoint;
  readonly ledger: PaymentLedger;
  /** Tells people the outcome; the notify step is skipped without it. */
  readonly notifier?: Notifier;
}

/** RB-N-06's state: normalized parameters plus what each step recorded. */
export interface WebhookReplayState extends NotifyState {
  /** Explicit start (Unix seconds), when `since` was given. */
  readonly sinceParam?: number;
  readonly overlapSeconds: number;
  readonly ratePerSecond: number;
  readonly settleSeconds: number;
  readonly mode: 'replay' | 'reconcile-only';
  /** How events are replayed (absent in journals from before it: `http`). */
  readonly delivery?: 'http' | 'direct';
  readonly types: readonly string[];
  lastProcessed?: { id: string; created: number };
  /** Where the listing starts (Unix seconds) and why. */
  start?: number;
  startReason?: string;
  listed?: number;
  /** Listed events the handler had not processed when listed. */
  missed?: number;
  applied?: number;
  duplicates?: number;
  deadLettered?: number;
  replayStartedAt?: string;
  replayEndedAt?: string;
  reconcile?: Reconciliation;
  deadLetters?: { eventId: string; type: string; reason: string }[];
}

/** Every difference between the provider's payments and the app's paid orders. */
export interface Reconciliation {
  readonly providerSucceeded: number;
  readonly paidOrders: number;
  /** Succeeded at the provider, but the order is not paid (or does not exist). */
  readonly chargedNotPaid: { paymentId: string; orderId: string | undefined }[];
  /** Paid in the app, without a succeeded payment at the provider. */
  readonly paidWithoutPayment: { orderId: string; paymentRef: string | undefined }[];
}

/** `since` as Unix seconds. @throws UsageError */
export function parseSince(since: string): number {
  const t = Date.parse(since);
  if (Number.isNaN(t) || !/(Z|[+-]\d\d:?\d\d)$/.test(since)) {
    throw new UsageError(`since=${since}: not an ISO-8601 instant with a zone`, {
      hint: 'e.g. since=2026-11-30T12:00:00Z',
    });
  }
  if (t > Date.now()) throw new UsageError(`since=${since} is in the future`);
  return Math.floor(t / 1000);
}

/** Refuses a start the provider no longer keeps events for. @throws OutOfWindowError */
export function checkRetention(events: PaymentEvents, start: number, now = Date.now()): void {
  const oldest = Math.floor(now / 1000) - events.retentionDays * 86_400;
  if (start >= oldest) return;
  throw new OutOfWindowError(
    `replay from ${iso(start)} is outside ${events.kind}'s ${events.retentionDays}-day event retention: events are kept from ${iso(oldest)} to now`,
    {
      hint: 'the events before that are gone: run RB-N-06 with --param mode=reconcile-only to list every payment/order difference instead',
      details: { start, oldest, retentionDays: events.retentionDays },
    },
  );
}

export function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

/** Where the replay starts (read-only; the find-start step records it). @throws OutOfWindowError */
export async function computeStart(
  deps: WebhookReplayDeps,
  s: WebhookReplayState,
): Promise<Pick<WebhookReplayState, 'lastProcessed' | 'start' | 'startReason'>> {
  const last = await deps.ledger.lastProcessed();
  const unpaid = await deps.ledger.oldestUnpaid();
  const candidates: [number, string][] = [];
  if (s.sinceParam !== undefined) candidates.push([s.sinceParam, 'since parameter']);
  else {
    if (last) candidates.push([last.created, `last processed event ${last.id}`]);
    if (unpaid !== undefined) candidates.push([unpaid, 'oldest order awaiting payment']);
    if (!candidates.length)
      candidates.push([Math.floor(Date.now() / 1000), 'nothing processed yet']);
  }
  const [at, why] = candidates.sort((a, b) => a[0] - b[0])[0]!;
  const start = at - s.overlapSeconds;
  if (s.mode === 'replay') checkRetention(deps.events, start);
  return {
    ...(last ? { lastProcessed: last } : {}),
    start,
    startReason: `${why} (${iso(at)}) − ${s.overlapSeconds} s overlap`,
  };
}

/** Where the events are replayed into: the route (`http`) or the processor (`direct`). @throws CapabilityError */
export function replayTarget(
  deps: Pick<WebhookReplayDeps, 'endpoint' | 'processor'>,
  delivery: WebhookReplayState['delivery'],
  provider = 'this',
): WebhookEndpoint {
  const direct = delivery === 'direct';
  const target = direct ? deps.processor : deps.endpoint;
  if (target) return target;
  throw new CapabilityError(
    direct
      ? `the ${provider} provider has no direct webhook processor (port 'webhookProcessor')`
      : `the ${provider} provider has no payment webhook endpoint configured (port 'webhookEndpoint')`,
    {
      hint: direct
        ? 'run with --param delivery=http (the app needs its database in the app secret)'
        : 'set payments.webhookUrl (and the payments.webhookSecret secret) in the config, or run with --param delivery=direct',
    },
  );
}
