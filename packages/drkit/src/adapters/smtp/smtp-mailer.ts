import nodemailer, { type Transporter } from 'nodemailer';
import { DrError } from '../../engine/errors.js';
import {
  mailError,
  type Mail,
  type Mailer,
  type MailerCapability,
  type MailFailure,
} from '../../ports/mailer.js';

/** Options of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). @default false (STARTTLS when offered) */
  readonly secure?: boolean;
  /** Refuse to send without STARTTLS. @default false */
  readonly requireTls?: boolean;
  /** SMTP AUTH user; no AUTH without it. @default none */
  readonly user?: string;
  /** SMTP AUTH password: passed to nodemailer only, never logged or planned. @default none */
  readonly password?: string;
  /** Connect, greeting and socket timeouts. @default 10_000 */
  readonly timeoutMs?: number;
  /** Name in plans and errors. @default `<host>:<port>` */
  readonly label?: string;
}

/**
 * The mailer port on an SMTP relay (nodemailer, one connection per message: a failover must
 * not keep talking to a pooled connection of the old provider). Failures are classified from
 * the SMTP reply code: 4xx temporary (throttling when the reply says so), 5xx permanent, no
 * reply at all a connection failure.
 */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  readonly capabilities: ReadonlySet<MailerCapability> = new Set<MailerCapability>([
    'html',
    'message-id',
  ]);
  private readonly transport: Transporter;
  private readonly label: string;

  constructor(private readonly opts: SmtpMailerOptions) {
    const timeout = opts.timeoutMs ?? 10_000;
    this.label = opts.label ?? `${opts.host}:${opts.port}`;
    this.transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure ?? false,
      requireTLS: opts.requireTls ?? false,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(opts.user !== undefined ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
    });
  }

  /**
   * Whether the relay answers: connects, reads its greeting and says EHLO (nodemailer's
   * `verify`; no message is sent). @throws Error with the relay's or the socket's reason
   */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  async send(mail: Mail): Promise<{ readonly messageId: string }> {
    try {
      const info = (await this.transport.sendMail({
        from: mail.from,
        to: [...mail.to],
        subject: mail.subject,
        text: mail.text,
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        ...(mail.messageId !== undefined ? { messageId: `<${mail.messageId}>` } : {}),
      })) as { messageId?: string; rejected?: unknown[] };
      if (info.rejected && info.rejected.length > 0) {
        throw mailError('permanent', `SMTP ${this.label} rejected ${info.rejected.join(', ')}`);
      }
      return { messageId: (info.messageId ?? '').replace(/^<|>$/g, '') };
    } catch (err) {
      if (err instanceof DrError) throw err;
      throw classifySmtpError(err, this.label);
    }
  }

  planSend(mail: Mail): string[] {
    return [
      `SMTP ${this.label}${this.opts.user !== undefined ? ` (AUTH as ${this.opts.user})` : ''}: MAIL FROM:<${mail.from}> RCPT TO:${mail.to.map((t) => `<${t}>`).join(',')} DATA subject "${mail.subject}"${mail.messageId ? ` Message-ID <${mail.messageId}>` : ''}`,
    ];
  }
}

/** The classification of a nodemailer error (see the Mailer contract). */
export function smtpFailure(err: unknown): MailFailure {
  const e = err as { code?: string; responseCode?: number; response?: string };
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (rc !== undefined && rc >= 400 && rc < 500) {
    return /rate|throttl|too many|try again later|slow down/i.test(e.response ?? '')
      ? 'throttling'
      : 'temporary';
  }
  if (rc !== undefined && rc >= 500) return 'permanent';
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return 'permanent';
  return 'connection';
}

function classifySmtpError(err: unknown, label: string): DrError {
  const failure = smtpFailure(err);
  const e = err as { code?: string; responseCode?: number; message?: string };
  const what = e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? 'error');
  return mailError(
    failure,
    `SMTP ${label} refused the message (${failure}, ${what}): ${e.message ?? String(err)}`,
    {
      cause: err,
      hint:
        failure === 'permanent'
          ? 'check the sender, the recipients and the SMTP credentials: resending will not help'
          : 'the provider is not delivering: RB-N-07 (email-failover) switches to the secondary',
    },
  );
}
