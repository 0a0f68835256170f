import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import {
  checkRetention,
  parseSince,
  replayTarget,
  type WebhookReplayDeps,
  type WebhookReplayState,
} from './context.js';
import { WebhookReplayParamsSchema } from './params.js';
import { checkEndpoint } from './steps/check-endpoint.js';
import { findStart } from './steps/find-start.js';
import { listEvents } from './steps/list-events.js';
import { notifyOutcome } from './steps/notify.js';
import { reconcile } from './steps/reconcile.js';
import { replayEvents } from './steps/replay-events.js';

export type { Reconciliation, WebhookReplayDeps, WebhookReplayState } from './context.js';
export { WebhookReplayParamsSchema, type WebhookReplayParams } from './params.js';

/** RB-N-06's id in journals and on the command line. */
export const WEBHOOK_REPLAY_RUNBOOK_ID = 'rb-n-06';
const TITLE = 'RB-N-06 Payment webhook outage → replay and reconcile';

/**
 * RB-N-06 — the payment webhook endpoint was down and events were missed: find where to start,
 * list the provider's events since then (deduplicated, oldest first whatever the provider's
 * order), check the endpoint accepts our signature, replay what the handler has not processed
 * at a bounded rate, reconcile payments with paid orders and inspect the dead letters, notify.
 */
export function createWebhookReplayRunbook(deps: WebhookReplayDeps): Runbook<WebhookReplayState> {
  return {
    id: WEBHOOK_REPLAY_RUNBOOK_ID,
    title: TITLE,
    lockKey: () => `payments:${deps.events.kind}`,
    steps: [
      findStart(deps),
      listEvents(deps),
      checkEndpoint(deps),
      replayEvents(deps),
      reconcile(deps),
      notifyOutcome(deps),
    ],
  };
}

/** RB-N-06 as `drkit runbook run rb-n-06` (and the webhook drill) runs it. */
export const webhookReplay = defineRunbook({
  id: WEBHOOK_REPLAY_RUNBOOK_ID,
  aliases: ['webhook-replay'],
  title: TITLE,
  params: WebhookReplayParamsSchema,
  needs: ['paymentEvents', 'paymentLedger'],
  // one of the two, as `delivery` says (checked before anything runs)
  uses: ['notifier', 'webhookEndpoint', 'webhookProcessor'],
  normalize(raw, { ports, hint, provider }): WebhookReplayState {
    const p = parseParams(WebhookReplayParamsSchema, raw, hint);
    // the replay target `delivery` names must be bound (a CapabilityError before anything runs)
    if (p.mode === 'replay') {
      const { webhookEndpoint: endpoint, webhookProcessor: processor } = ports;
      replayTarget(
        { ...(endpoint ? { endpoint } : {}), ...(processor ? { processor } : {}) },
        p.delivery,
        provider,
      );
    }
    const sinceParam = p.since !== undefined ? parseSince(p.since) : undefined;
    // an explicit start older than the retention is refused before anything runs
    if (sinceParam !== undefined && p.mode === 'replay') {
      checkRetention(ports.paymentEvents, sinceParam - p.overlapSeconds);
    }
    return {
      ...(sinceParam !== undefined ? { sinceParam } : {}),
      overlapSeconds: p.overlapSeconds,
      ratePerSecond: p.ratePerSecond,
      settleSeconds: p.settleSeconds,
      mode: p.mode,
      delivery: p.delivery,
      types: p.types,
    };
  },
  create: (ports) =>
    createWebhookReplayRunbook({
      events: ports.paymentEvents,
      ledger: ports.paymentLedger,
      ...(ports.webhookEndpoint ? { endpoint: ports.webhookEndpoint } : {}),
      ...(ports.webhookProcessor ? { processor: ports.webhookProcessor } : {}),
      ...(ports.notifier ? { notifier: ports.notifier } : {}),
    }),
});
