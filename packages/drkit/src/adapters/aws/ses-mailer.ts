import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { PreconditionError } from '../../engine/errors.js';
import type { Mail, Mailer, MailerCapability } from '../../ports/mailer.js';
import type { AwsClients } from './clients.js';
import { awsCall, awsErrorName } from './errors.js';

/** The mailer port on Amazon SES (v1 API, one region: RB-N-07 binds the one in region B). */
export class SesMailer implements Mailer {
  readonly kind = 'aws-ses';
  readonly capabilities: ReadonlySet<MailerCapability> = new Set<MailerCapability>(['html']);
  private readonly ses: SESClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.ses = opts.clients.ses(opts.region);
  }

  async send(mail: Mail): Promise<{ readonly messageId: string }> {
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          Source: mail.from,
          Destination: { ToAddresses: [...mail.to] },
          Message: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: mail.text, Charset: 'UTF-8' },
              ...(mail.html ? { Html: { Data: mail.html, Charset: 'UTF-8' } } : {}),
            },
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'MessageRejected' || name === 'MailFromDomainNotVerifiedException') {
        throw new PreconditionError(
          `SES rejected mail from ${mail.from}: ${(err as Error).message}`,
          {
            cause: err,
            hint: 'verify the sender identity in this region (and leave the SES sandbox for unverified recipients)',
          },
        );
      }
      return await awsCall({ action: 'ses:SendEmail', resource: mail.from }, () =>
        Promise.reject(err),
      );
    }
  }
}
