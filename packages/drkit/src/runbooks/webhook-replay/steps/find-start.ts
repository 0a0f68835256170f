import type { Step } from '../../../engine/step.js';
import { computeStart, iso, type WebhookReplayDeps, type WebhookReplayState } from '../context.js';

/**
 * Step 1 (seed: "identify last processed event time/id"): the replay starts at the last
 * processed event or at the oldest order still awaiting payment, whichever is older (events
 * delivered after the endpoint came back move the cursor past the gap), minus the overlap.
 */
export function findStart(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return {
    id: 'find-start',
    title: 'Identify the last processed event and where the replay starts',
    plan: ({ state: s }) => [
      s.sinceParam !== undefined
        ? `start at since=${iso(s.sinceParam)} minus ${s.overlapSeconds} s`
        : `read the app's last processed event (${deps.ledger.kind} webhook_cursor) and its oldest order awaiting payment; start at the older, minus ${s.overlapSeconds} s`,
    ],
    async run({ state: s }) {
      return await computeStart(deps, s);
    },
  };
}
