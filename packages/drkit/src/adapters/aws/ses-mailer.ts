import { SendEmailCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { DrError } from '../../engine/errors.js';
import {
  mailError,
  type Mail,
  type Mailer,
  type MailerCapability,
  type MailFailure,
} from '../../ports/mailer.js';
import type { AwsClients } from './clients.js';
import { awsErrorName, translateAwsError } from './errors.js';

/**
 * The mailer port on Amazon SES (v1 API, one region: RB-N-07 binds the one in region B). A
 * message with a Message-ID goes out as `SendRawEmail` (the MIME built by nodemailer's
 * composer), since `SendEmail` lets SES choose the header.
 */
export class SesMailer implements Mailer {
  readonly kind = 'aws-ses';
  readonly capabilities: ReadonlySet<MailerCapability> = new Set<MailerCapability>([
    'html',
    'message-id',
  ]);
  private readonly ses: SESClient;
  private readonly region: string;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.ses = opts.clients.ses(opts.region);
    this.region = opts.region ?? 'default region';
  }

  async send(mail: Mail): Promise<{ readonly messageId: string }> {
    try {
      if (mail.messageId !== undefined) {
        const raw = await new MailComposer({
          from: mail.from,
          to: [...mail.to],
          subject: mail.subject,
          text: mail.text,
          ...(mail.html !== undefined ? { html: mail.html } : {}),
          messageId: `<${mail.messageId}>`,
        })
          .compile()
          .build();
        const out = await this.ses.send(
          new SendRawEmailCommand({
            Source: mail.from,
            Destinations: [...mail.to],
            RawMessage: { Data: raw },
          }),
        );
        return { messageId: out.MessageId ?? '' };
      }
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
      throw sesError(err, mail);
    }
  }

  planSend(mail: Mail): string[] {
    const call = mail.messageId !== undefined ? 'ses:SendRawEmail' : 'ses:SendEmail';
    return [
      `${call} (${this.region}) Source=${mail.from} To=${mail.to.join(',')} Subject="${mail.subject}"${mail.messageId ? ` Message-ID=<${mail.messageId}>` : ''}`,
    ];
  }
}

/** Classifies an SES failure (see the Mailer contract). */
function sesError(err: unknown, mail: Mail): DrError {
  const name = awsErrorName(err);
  if (name === 'MessageRejected' || name === 'MailFromDomainNotVerifiedException') {
    return mailError(
      'permanent',
      `SES rejected mail from ${mail.from}: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'verify the sender identity in this region (and leave the SES sandbox for unverified recipients)',
      },
    );
  }
  const t = translateAwsError(err, { action: 'ses:SendEmail', resource: mail.from });
  const failure: MailFailure =
    t.code === 'THROTTLED' || name === 'LimitExceededException'
      ? 'throttling'
      : t.retryable && t.details?.httpStatus === undefined
        ? 'connection'
        : t.retryable
          ? 'temporary'
          : 'permanent';
  return mailError(failure, t.message, { cause: err, ...(t.hint ? { hint: t.hint } : {}) });
}
