import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { EmailFailoverDeps, EmailFailoverState } from '../context.js';

/** Step 3: a failover is never silent — people hear of it before the resend starts. */
export function alertFailover(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return notifyStep<EmailFailoverState>(deps.notifier, {
    id: 'alert-failover',
    title: 'Alert that the email provider failed over',
    retry: { attempts: 3 },
    message: ({ state: s }) => ({
      subject: `RB-N-07 email failover: ${s.fromProvider ?? 'active provider'} → ${s.to}`,
      body: [
        `Outgoing mail now goes through ${s.to}${s.switchedAt ? ` since ${s.switchedAt}` : ''}.`,
        s.failureRate
          ? `${s.fromProvider}: ${s.failureRate.failed} failed / ${s.failureRate.sent} sent over the last ${s.windowSeconds} s.`
          : '',
        `${s.failedBefore ?? 'The'} failed ${s.criticalOnly ? 'critical ' : ''}messages are re-sent with their Message-ID, at the warm-up rate ${s.warmupPerMinute.join(' → ')}/min.`,
      ]
        .filter(Boolean)
        .join('\n'),
      severity: 'critical',
    }),
  });
}
