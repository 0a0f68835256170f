/**
 * The mailer port: sends operational email (SES, the lab's SMTP sink). RB-N-07 switches the
 * provider and re-sends failed critical notifications through it.
 *
 * Contract: `send` resolves with the provider's message id once the provider accepted the
 * message; an unverified or rejected sender is a `PreconditionError`; throttling is a
 * retryable `DrError('THROTTLED')`. Messages never contain secrets.
 */
export interface Mailer {
  /** Adapter name, e.g. `aws-ses`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<MailerCapability>;
  send(mail: Mail): Promise<{ readonly messageId: string }>;
}

export type MailerCapability = 'html' | 'send-quota';

export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** @default text only */
  readonly html?: string;
}
