import type { MailOutbox } from '../ports/mail-outbox.js';
import { mailFailureOf, type MailerFactory, type MailFailure } from '../ports/mailer.js';
import type { Secrets } from '../ports/secrets.js';
import { SharedWarmupPacer, type WarmupSchedule } from '../util/warmup.js';

/** What the app's mail sender needs. */
export interface MailSenderDeps {
  readonly outbox: MailOutbox;
  /** Where the active provider's credentials live (RB-N-07 switches them). */
  readonly secrets: Secrets;
  /** The active provider's secret: `{ provider, kind, …credentials, warmup? }`. */
  readonly activeSecret: string;
  readonly mailers: MailerFactory;
  /** This sender's claim key (one per app task). */
  readonly key: string;
}

/** What one {@link sendPending} pass did. */
export interface SendPass {
  readonly provider: string;
  readonly sent: number;
  readonly failed: Partial<Record<MailFailure, number>>;
}

/**
 * The app's side of the outbox: sends pending messages through the provider the active secret
 * names, read at every pass (so a switch takes effect without a restart), at the warm-up rate
 * the secret sets. A failure leaves the message `failed` with its classification; RB-N-07
 * re-sends the critical ones through the new provider. Each message is claimed before it is
 * sent, so a message is never sent twice.
 */
export async function sendPending(
  deps: MailSenderDeps,
  opts: {
    readonly limit?: number;
    readonly signal?: AbortSignal;
    /** Kept between passes so the warm-up pace holds across them (a long-running sender). */
    readonly pacing?: { startedAt?: string; pacer?: SharedWarmupPacer };
  } = {},
): Promise<SendPass> {
  const active = await deps.secrets.get(deps.activeSecret);
  const provider = String(active.provider ?? 'unknown');
  const mailer = deps.mailers.open(active);
  const warmup = active.warmup as WarmupSchedule | undefined;
  const pacing = opts.pacing ?? {};
  if (warmup && pacing.startedAt !== warmup.startedAt) {
    pacing.startedAt = warmup.startedAt;
    // slots shared with every other sender of the outbox (other tasks, RB-N-07's resend)
    pacing.pacer = new SharedWarmupPacer(warmup, (perMinute) =>
      deps.outbox.reserveSlot(provider, perMinute),
    );
  }
  const pacer = warmup ? pacing.pacer : undefined;
  let sent = 0;
  const failed: Partial<Record<MailFailure, number>> = {};
  for (const m of await deps.outbox.list('pending', { limit: opts.limit ?? 100 })) {
    if (opts.signal?.aborted) break;
    await pacer?.wait(opts.signal);
    if ((await deps.outbox.claim(m.id, 'pending', provider, deps.key)) !== 'claimed') continue;
    try {
      const r = await mailer.send(m.mail);
      await deps.outbox.recordSent(m.id, deps.key, r.messageId);
      sent++;
    } catch (err) {
      const f = mailFailureOf(err) ?? 'connection';
      await deps.outbox.recordFailed(m.id, deps.key, f, (err as Error).message);
      failed[f] = (failed[f] ?? 0) + 1;
    }
  }
  return { provider, sent, failed };
}
