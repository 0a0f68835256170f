import type { Step } from '../../../engine/step.js';
import { replayTarget, type WebhookReplayDeps, type WebhookReplayState } from '../context.js';
import { eventQuery } from './list-events.js';

/**
 * Step 3: before replaying anything, the endpoint must accept a signature made with its
 * secret. The test event is one it processed already (the last processed event, or the first
 * listed one it has), so the handler answers `duplicate` and nothing changes; a rejected
 * signature stops the run here. With `delivery=direct` it checks the processor reaches the
 * app's database the same way.
 */
export function checkEndpoint(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return {
    id: 'check-endpoint',
    title: 'Check the endpoint accepts our signature (a duplicate: no effect)',
    retry: { attempts: 3 },
    when: ({ state: s }) => s.mode === 'replay',
    plan: ({ state: s }) => [
      s.delivery === 'direct'
        ? `process an event the handler already processed${s.lastProcessed ? ` (${s.lastProcessed.id})` : ''} directly (no signature): expect "duplicate"`
        : `POST an event the handler already processed${s.lastProcessed ? ` (${s.lastProcessed.id})` : ''}, re-signed: expect "duplicate"`,
    ],
    async run({ state: s, progress }) {
      const events = await deps.events.listEvents(eventQuery(deps, s));
      const done = await deps.ledger.processed(events.map((e) => e.id));
      const probe =
        events.find((e) => e.id === s.lastProcessed?.id) ?? events.find((e) => done.has(e.id));
      if (!probe) {
        progress(
          'no processed event in the window to probe with: the first replay checks the signature',
        );
        return;
      }
      await replayTarget(deps, s.delivery).deliver(probe); // PreconditionError when the signature is rejected
    },
  };
}
