import { afterAll } from 'vitest';
import { startMailpit, type MailpitServer } from '../../lab/mailpit-server.js';
import { mailerContract } from '../../ports/mailer.contract.js';
import { freePort } from '../../util/net.js';
import { SmtpMailer } from './smtp-mailer.js';

let mailpit: MailpitServer | undefined;
afterAll(async () => {
  await mailpit?.stop();
});

mailerContract('smtp on mailpit', async () => {
  mailpit = await startMailpit();
  const mp = mailpit;
  const unreachablePort = await freePort();
  return {
    mailer: new SmtpMailer({ host: mp.host, port: mp.smtpPort, user: 'drkit', password: 'x' }),
    from: 'noreply@shop.example.test',
    async delivered() {
      return (await mp.messages()).map((m) => ({
        messageId: m.MessageID,
        subject: m.Subject,
        to: m.To.map((t) => t.Address),
      }));
    },
    refuse: (on) => mp.refuse(on ? 451 : undefined),
    unreachable: () =>
      new SmtpMailer({ host: '127.0.0.1', port: unreachablePort, timeoutMs: 2000 }),
  };
});
