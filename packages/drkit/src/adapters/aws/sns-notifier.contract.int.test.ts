import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll } from 'vitest';
import { MOTO_CREDENTIALS } from '../../lab/moto-server.js';
import { notifierContract } from '../../ports/notifier.contract.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../../testing/moto.js';
import { freePort } from '../../util/net.js';
import { AwsClients } from './clients.js';
import { SnsNotifier } from './sns-notifier.js';

/** The Notifier contract on moto's SNS: messages are read back from moto's own state. */
let env: MotoClients;
let offline: AwsClients | undefined;
beforeAll(async () => {
  env = await startMotoClients();
});
afterAll(async () => {
  offline?.destroy();
  await stopMotoClients(env ?? {});
});

/** moto's record of one topic's publishes: [id, message, subject, attributes, group]. */
type SentNotification = [string, string, string, Record<string, { Value?: string }>, unknown];

notifierContract('SnsNotifier (moto)', async () => {
  const topic = await env.clients.sns().send(new CreateTopicCommand({ Name: 'drkit-contract' }));
  const topicArn = topic.TopicArn!;
  // nothing listens there: the SDK's connection is refused, as in a regional outage
  offline = new AwsClients({
    endpoint: `http://127.0.0.1:${await freePort()}`,
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    notifier: new SnsNotifier({ clients: env.clients, topicArn }),
    async delivered() {
      const data = (await (await fetch(`${env.moto.endpoint}/moto-api/data.json`)).json()) as {
        sns: { Topic: Array<{ arn: string; sent_notifications: SentNotification[] }> };
      };
      const sent = data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
      return sent.map(([, message, subject, attrs]) => ({
        text: `${subject}\n${message}\nseverity=${attrs.severity?.Value ?? ''}`,
      }));
    },
    unreachable: () => new SnsNotifier({ clients: offline!, topicArn }),
  };
});
