import { afterAll } from 'vitest';
import { notifierContract } from '../../ports/notifier.contract.js';
import { startWebhookSink } from '../../testing/webhook-sink.js';
import { freePort } from '../../util/net.js';
import { WebhookNotifier } from './webhook-notifier.js';

let close: (() => Promise<void>) | undefined;
afterAll(async () => await close?.());

notifierContract('WebhookNotifier (a real HTTP endpoint taking Slack JSON)', async () => {
  const sink = await startWebhookSink();
  close = sink.close;
  const dead = await freePort(); // nothing listens there
  return {
    notifier: new WebhookNotifier({ url: sink.url }),
    delivered: async () => sink.received.map((r) => ({ text: JSON.stringify(r.body) })),
    unreachable: () =>
      new WebhookNotifier({ url: `http://127.0.0.1:${dead}/hook`, timeoutMs: 1000 }),
  };
});
