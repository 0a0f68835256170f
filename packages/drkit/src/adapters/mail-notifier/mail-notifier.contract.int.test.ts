import { afterAll } from 'vitest';
import { startMailpit, type MailpitServer } from '../../lab/mailpit-server.js';
import { notifierContract } from '../../ports/notifier.contract.js';
import { freePort } from '../../util/net.js';
import { SmtpMailer } from '../smtp/index.js';
import { MailNotifier } from './mail-notifier.js';

let mailpit: MailpitServer | undefined;
afterAll(async () => await mailpit?.stop());

notifierContract('MailNotifier over SmtpMailer (mailpit)', async () => {
  const m = (mailpit = await startMailpit());
  const dead = await freePort();
  return {
    notifier: new MailNotifier(
      new SmtpMailer({ host: m.host, port: m.smtpPort }),
      'drkit@lab.test',
      ['cto@lab.test'],
    ),
    delivered: async () =>
      await Promise.all(
        (await m.messages()).map(async (msg) => {
          const full = (await (await fetch(`${m.apiUrl}/api/v1/message/${msg.ID}`)).json()) as {
            Subject: string;
            Text: string;
          };
          return { text: `${full.Subject}\n${full.Text}` };
        }),
      ),
    unreachable: () =>
      new MailNotifier(new SmtpMailer({ host: '127.0.0.1', port: dead }), 'drkit@lab.test', [
        'x@lab.test',
      ]),
  };
});
