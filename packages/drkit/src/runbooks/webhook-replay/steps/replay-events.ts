import type { Step } from '../../../engine/step.js';
import { sleep } from '../../../util/net.js';
import {
  computeStart,
  replayTarget,
  type WebhookReplayDeps,
  type WebhookReplayState,
} from '../context.js';
import { eventQuery } from './list-events.js';

/**
 * Step 4 (seed: "replay each event into your idempotent handler"): every listed event the
 * handler has not processed, oldest first, re-signed (or straight into the processor with `delivery=direct`), at most `ratePerSecond`. Safe to run
 * twice and to resume: the list is taken again and the handler ignores duplicates.
 */
export function replayEvents(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return {
    id: 'replay-events',
    title: 'Replay the missed events into the handler (oldest first, bounded rate)',
    retry: { attempts: 3 },
    timeoutMs: 4 * 60 * 60_000,
    when: ({ state: s }) => s.mode === 'replay',
    async plan({ state: s }) {
      const start = s.start ?? (await computeStart(deps, s)).start;
      const events = await deps.events.listEvents(eventQuery(deps, { ...s, start }));
      const done = await deps.ledger.processed(events.map((e) => e.id));
      const todo = events.filter((e) => !done.has(e.id));
      const target = replayTarget(deps, s.delivery);
      if (!todo.length) return [`nothing to replay (${events.length} listed, all processed)`];
      return [
        `${todo.length} of ${events.length} listed events would be replayed, oldest first, ≤ ${s.ratePerSecond}/s:`,
        ...todo.slice(0, 200).flatMap((e) => target.planDeliver(e)),
        ...(todo.length > 200 ? [`… and ${todo.length - 200} more`] : []),
      ];
    },
    async run({ state: s, signal, progress }) {
      const events = await deps.events.listEvents(eventQuery(deps, s));
      const done = await deps.ledger.processed(events.map((e) => e.id));
      const target = replayTarget(deps, s.delivery);
      const counts = { applied: 0, duplicate: 0, 'dead-letter': 0 };
      const gap = 1000 / s.ratePerSecond;
      const startedAt = new Date().toISOString();
      let next = Date.now();
      for (const e of events) {
        if (done.has(e.id)) continue;
        signal.throwIfAborted();
        if (next > Date.now()) await sleep(next - Date.now());
        next = Date.now() + gap;
        counts[(await target.deliver(e)).outcome]++;
        const n = counts.applied + counts.duplicate + counts['dead-letter'];
        if (n % 50 === 0) progress(`${n} replayed`);
      }
      return {
        applied: counts.applied,
        duplicates: counts.duplicate,
        deadLettered: counts['dead-letter'],
        replayStartedAt: startedAt,
        replayEndedAt: new Date().toISOString(),
      };
    },
  };
}
