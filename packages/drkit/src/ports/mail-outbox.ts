import type { Mail, MailFailure } from './mailer.js';

/** Where an outbox message is: queued, being sent (claimed), accepted by a provider, failed. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** One message of the app's mail outbox. */
export interface OutboxMessage {
  /** The outbox row's id. */
  readonly id: string;
  /** The Message-ID header every send of this message carries (without angle brackets). */
  readonly messageId: string;
  /** Receipts and password resets: RB-N-07 re-sends these. */
  readonly critical: boolean;
  /** What it is (`receipt`, `password-reset`, `newsletter`…). */
  readonly category: string;
  readonly mail: Mail;
  readonly status: OutboxStatus;
  readonly attempts: number;
  /** The provider of the last attempt. */
  readonly provider: string | undefined;
  /** How the last attempt failed. */
  readonly failure: MailFailure | undefined;
  /** Who claimed it last (the app's sender, or an RB-N-07 execution id). */
  readonly claimKey: string | undefined;
  readonly createdAt: Date;
}

/** What {@link MailOutbox.claim} found. */
export type ClaimOutcome =
  /** The message is now `sending` under the caller's key: send it, then record the outcome. */
  | 'claimed'
  /** A provider accepted it already: never send it again. */
  | 'sent'
  /**
   * Claimed before (by this key or another) without a recorded outcome: the send may have
   * reached the provider. Never sent again automatically (at most once); a person checks.
   */
  | 'in-doubt'
  /** Not in the state the caller asked for (e.g. still pending with the app's sender). */
  | 'skipped';

/**
 * The app's mail outbox: the idempotency record of every critical message. A message is
 * claimed (`sending`, with the claimer's key and provider, committed) before the provider is
 * called, and its outcome recorded after; a claim never succeeds twice, so two senders (the app
 * and RB-N-07, or an execution and its resume) never send the same message twice.
 *
 * Contract: `claim` is one atomic compare-and-set; `recordSent`/`recordFailed` apply only to a
 * message claimed under the same key (else a `ConflictError`-like `DrError('CONFLICT')`);
 * lists are oldest first.
 */
export interface MailOutbox {
  readonly kind: string;
  /** Queues a message (the app's side). Its `messageId` is fixed here, once. */
  enqueue(msg: {
    readonly critical: boolean;
    readonly category: string;
    readonly mail: Omit<Mail, 'messageId'>;
  }): Promise<OutboxMessage>;
  /** Messages in `status`, oldest first. */
  list(
    status: OutboxStatus,
    opts?: { readonly criticalOnly?: boolean; readonly limit?: number },
  ): Promise<OutboxMessage[]>;
  /**
   * Messages last claimed under `claimKey` and now in `status`; with `sending`, those whose
   * outcome was never recorded (in doubt after a crash). Oldest first.
   */
  claimedBy(claimKey: string, status: OutboxStatus): Promise<OutboxMessage[]>;
  /** Claims `id` for a send through `provider`, if it is in `from`. */
  claim(id: string, from: OutboxStatus, provider: string, claimKey: string): Promise<ClaimOutcome>;
  recordSent(id: string, claimKey: string, providerMessageId: string): Promise<void>;
  recordFailed(id: string, claimKey: string, failure: MailFailure, reason: string): Promise<void>;
  /** Sends and failures recorded since `since`, by provider (the detector's failure rate). */
  outcomes(since: Date): Promise<{
    sent: number;
    failed: number;
    byProvider: Record<string, { sent: number; failed: number }>;
  }>;
  /**
   * Reserves the next send slot through `provider` at `perMinute`, shared by every sender of
   * this outbox (the app's tasks and RB-N-07's resend): resolves with the instant the caller
   * may send, slots spaced 60 s / `perMinute` apart. The warm-up holds for all of them together.
   */
  reserveSlot(provider: string, perMinute: number): Promise<Date>;
  /** What `claim` + `recordSent` of `id` would do (dry run). */
  planResend(id: string, provider: string): string[];
}
