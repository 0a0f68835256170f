import { DrError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { mailFailureOf, type MailFailure } from '../../../ports/mailer.js';
import { SharedWarmupPacer } from '../../../util/warmup.js';
import { openTarget, type EmailFailoverDeps, type EmailFailoverState } from '../context.js';

/**
 * Step 4 (seed: "re-send failed critical notifications", "warm-up rate"): each failed message
 * is claimed in the outbox under this execution's id, sent through the new provider with its
 * own Message-ID, and its outcome recorded, at the warm-up pace. Safe to run twice and to
 * resume: a claim never succeeds twice, and a message this execution claimed without a
 * recorded outcome (the process died mid-send) is reported in doubt, never sent again.
 */
export function resendFailed(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return {
    id: 'resend-failed',
    title: 'Re-send the failed messages through the new provider (warm-up pace)',
    retry: { attempts: 3 },
    timeoutMs: 6 * 60 * 60_000,
    async plan({ state: s }) {
      const failed = await deps.outbox.list('failed', { criticalOnly: s.criticalOnly });
      if (failed.length === 0) return ['no failed messages to re-send'];
      const target = await openTarget(deps, s);
      const first = failed[0]!;
      return [
        `${failed.length} ${s.criticalOnly ? 'critical ' : ''}messages, oldest first, at ${s.warmupPerMinute.join(' → ')}/min (${s.warmupStageSeconds} s per stage); each:`,
        ...deps.outbox.planResend(first.id, s.to),
        ...target.planSend(first.mail),
        `… and ${failed.length - 1} more (outbox ids ${failed.map((m) => m.id).join(', ')})`,
      ];
    },
    async run({ state: s, executionId, signal, progress }) {
      const inDoubt = new Set([
        ...(s.inDoubt ?? []),
        ...(await deps.outbox.claimedBy(executionId, 'sending')).map((m) => m.id),
      ]);
      const mailer = await openTarget(deps, s);
      // the app's senders reserve from the same slots: together they keep to the schedule
      const pacer = new SharedWarmupPacer(
        s.warmup ?? {
          startedAt: new Date().toISOString(),
          perMinute: s.warmupPerMinute,
          stageSeconds: s.warmupStageSeconds,
        },
        (perMinute) => deps.outbox.reserveSlot(s.to, perMinute),
      );
      const refused: Record<string, MailFailure> = { ...s.refused };
      let alreadySent = s.alreadySent ?? 0;
      let firstAt = s.firstResendAt;
      let lastAt = s.lastResendAt;
      const failed = await deps.outbox.list('failed', { criticalOnly: s.criticalOnly });
      for (const [i, m] of failed.entries()) {
        signal.throwIfAborted();
        if (refused[m.id]) continue; // refused permanently by this provider in an earlier attempt
        await pacer.wait(signal);
        const claim = await deps.outbox.claim(m.id, 'failed', s.to, executionId);
        if (claim === 'sent') alreadySent++;
        if (claim === 'in-doubt') inDoubt.add(m.id);
        if (claim !== 'claimed') continue;
        try {
          const r = await mailer.send(m.mail);
          await deps.outbox.recordSent(m.id, executionId, r.messageId);
          lastAt = new Date().toISOString();
          firstAt ??= lastAt;
        } catch (err) {
          const f = mailFailureOf(err);
          if (f === undefined) throw err; // not the provider's answer: the outcome stays unknown
          await deps.outbox.recordFailed(m.id, executionId, f, (err as Error).message);
          if (f === 'permanent') {
            refused[m.id] = f;
            continue;
          }
          throw new DrError('EXTERNAL', `the new provider ${s.to} is failing too (${f})`, {
            cause: err,
            retryable: true,
            hint: 'the step retries; messages already re-sent are not sent again',
          });
        }
        if ((i + 1) % 20 === 0) progress(`${i + 1}/${failed.length} re-sent or skipped`);
      }
      return {
        // from the outbox, not a counter: an earlier attempt of this step re-sent some already
        resent: (await deps.outbox.claimedBy(executionId, 'sent')).length,
        alreadySent,
        inDoubt: [...inDoubt],
        refused,
        ...(firstAt ? { firstResendAt: firstAt } : {}),
        ...(lastAt ? { lastResendAt: lastAt } : {}),
      };
    },
  };
}
