import type { Step } from '../../../engine/step.js';
import type { EventQuery } from '../../../ports/payment-events.js';
import type { WebhookReplayDeps, WebhookReplayState } from '../context.js';

/** The listing every later step repeats (the same query: resumable, order-independent). */
export function eventQuery(deps: WebhookReplayDeps, s: WebhookReplayState): EventQuery {
  return {
    since: s.start ?? Math.floor(Date.now() / 1000) - s.overlapSeconds,
    types: s.types,
    // on Stripe, only events whose delivery failed; elsewhere every event (the handler dedups)
    undeliveredOnly: deps.events.capabilities.has('delivery-status'),
  };
}

/** Step 2 (seed: "list events since that point"): counts what the endpoint missed. */
export function listEvents(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return {
    id: 'list-events',
    title: 'List the provider events since the start point',
    retry: { attempts: 3 },
    when: ({ state: s }) => s.mode === 'replay',
    plan: ({ state: s }) => deps.events.planListEvents(eventQuery(deps, s)),
    async run({ state: s }) {
      const events = await deps.events.listEvents(eventQuery(deps, s));
      const done = await deps.ledger.processed(events.map((e) => e.id));
      return { listed: events.length, missed: events.filter((e) => !done.has(e.id)).length };
    },
  };
}
