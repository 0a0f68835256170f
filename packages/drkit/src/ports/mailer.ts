import { DrError, PreconditionError } from '../engine/errors.js';

/**
 * The mailer port: sends email through one provider (SES, an SMTP relay). The app sends its
 * critical mail (receipts, password resets) through it from an outbox; RB-N-07 switches the
 * provider and re-sends the failed critical messages through the new one.
 *
 * Contract:
 * - `send` resolves with the provider's message id once the provider accepted the message.
 *   Nothing is retried inside the adapter: retries belong to the engine or the outbox.
 * - With `mail.messageId` set, the message carries exactly that `Message-ID` header (adapters
 *   declaring `message-id`): a resend is then recognisable as the same message.
 * - Every failure is a `DrError` classified by {@link mailFailureOf}: `throttling` (rate limit,
 *   retryable), `temporary` (SMTP 4xx, retryable), `permanent` (5xx, rejected sender or
 *   recipient: a `PreconditionError`), `connection` (the provider cannot be reached,
 *   retryable). Failover decisions read this classification, never the message text.
 * - Messages never contain secrets; `planSend` names the provider, sender, recipients and
 *   subject, never the body.
 */
export interface Mailer {
  /** Adapter name, e.g. `aws-ses`, `smtp`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<MailerCapability>;
  send(mail: Mail): Promise<{ readonly messageId: string }>;
  /** What `send` would do (dry run): the API call or SMTP exchange, never the body. */
  planSend(mail: Mail): string[];
}

/** `html`: an HTML part; `message-id`: keeps the caller's Message-ID header. */
export type MailerCapability = 'html' | 'send-quota' | 'message-id';

export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** @default text only */
  readonly html?: string;
  /** The Message-ID header, without angle brackets. @default the provider's own */
  readonly messageId?: string;
}

/** How a send failed; see the {@link Mailer} contract. */
export type MailFailure = 'throttling' | 'temporary' | 'permanent' | 'connection';

/** The failure kinds a failover treats as "the provider is not delivering". */
export const PROVIDER_FAILURES: ReadonlySet<MailFailure> = new Set([
  'throttling',
  'temporary',
  'connection',
]);

/** A classified send failure (adapters throw it, or a subclass carrying the same detail). */
export function mailError(
  failure: MailFailure,
  message: string,
  opts: { readonly cause?: unknown; readonly hint?: string } = {},
): DrError {
  const details = { mailFailure: failure };
  if (failure === 'permanent') return new PreconditionError(message, { details, ...opts });
  return new DrError(failure === 'throttling' ? 'THROTTLED' : 'EXTERNAL', message, {
    retryable: true,
    details,
    ...opts,
  });
}

/** The classification of a send failure, or undefined when it is not a mailer's error. */
export function mailFailureOf(err: unknown): MailFailure | undefined {
  if (!(err instanceof DrError)) return undefined;
  const f = err.details?.mailFailure;
  if (f === 'throttling' || f === 'temporary' || f === 'permanent' || f === 'connection') return f;
  if (err.code === 'THROTTLED') return 'throttling';
  if (err.code === 'PRECONDITION') return 'permanent';
  return undefined;
}

/**
 * Opens mailers from a provider's credentials (the secret RB-N-07 switches). The credentials
 * name the adapter by `kind` (`smtp`, `ses`); an unknown kind or a missing field is a
 * `UsageError` naming it — never a value.
 */
export interface MailerFactory {
  /** The kinds it can open, e.g. `['smtp', 'ses']`. */
  readonly kinds: readonly string[];
  open(credentials: Readonly<Record<string, unknown>>): Mailer;
}
