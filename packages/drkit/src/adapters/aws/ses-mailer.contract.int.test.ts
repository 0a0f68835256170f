import { VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { afterAll } from 'vitest';
import { MOTO_CREDENTIALS } from '../../lab/moto-server.js';
import { mailerContract, type ProviderMessage } from '../../ports/mailer.contract.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../../testing/moto.js';
import { freePort } from '../../util/net.js';
import { AwsClients } from './clients.js';
import { SesMailer } from './ses-mailer.js';

let env: Partial<MotoClients> = {};
/** A loopback port nothing listens on: the unreachable provider. */
const closedPort = await freePort();
const closed: AwsClients[] = [];
afterAll(async () => {
  for (const c of closed) c.destroy();
  await stopMotoClients(env);
});

interface SesData {
  readonly Message: { subject: string; destinations: { ToAddresses: string[] } }[];
  readonly RawMessage: { raw_data: string; destinations: string[] }[];
}

const header = (raw: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim();

mailerContract(
  'aws-ses on moto',
  async () => {
    env = await startMotoClients();
    const { moto, clients } = env as MotoClients;
    const from = 'noreply@shop.example.test';
    await clients.ses().send(new VerifyEmailIdentityCommand({ EmailAddress: from }));
    return {
      mailer: new SesMailer({ clients }),
      from,
      async delivered(): Promise<ProviderMessage[]> {
        const d = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
          ses: SesData;
        };
        return [
          ...d.ses.Message.map((m) => ({
            messageId: undefined,
            subject: m.subject,
            to: m.destinations.ToAddresses,
          })),
          // moto lists a raw message's recipients from both the call and the To header
          ...d.ses.RawMessage.map((m) => ({
            messageId: header(m.raw_data, 'Message-ID')?.replace(/^<|>$/g, ''),
            subject: header(m.raw_data, 'Subject') ?? '',
            to: [...new Set(m.destinations)],
          })),
        ];
      },
      unreachable() {
        const c = new AwsClients({
          endpoint: `http://127.0.0.1:${closedPort}`,
          credentials: MOTO_CREDENTIALS,
          defaultRegion: 'us-east-1',
          maxAttempts: 1,
        });
        closed.push(c);
        return new SesMailer({ clients: c });
      },
    };
  },
  {
    skip: {
      'refusal-is-temporary':
        'moto accepts every message from a verified sender: it cannot be made to refuse temporarily',
    },
  },
);
