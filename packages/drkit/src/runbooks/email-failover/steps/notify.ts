import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { EmailFailoverDeps, EmailFailoverState } from '../context.js';

/** Step 5: the outcome, naming every message left for a person (in doubt, refused). */
export function notifyOutcome(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return notifyStep<EmailFailoverState>(deps.notifier, {
    title: 'Notify the outcome',
    retry: { attempts: 3 },
    message: ({ state: s }) => {
      const inDoubt = s.inDoubt ?? [];
      const refused = Object.keys(s.refused ?? {});
      return {
        subject: `RB-N-07 email failover to ${s.to} done: ${s.resent ?? 0} re-sent`,
        body: [
          `${s.resent ?? 0} messages re-sent through ${s.to}, ${s.alreadySent ?? 0} found sent already.`,
          inDoubt.length
            ? `${inDoubt.length} in doubt (claimed, outcome unknown; not re-sent, check the provider): outbox ids ${inDoubt.join(', ')}.`
            : 'None in doubt.',
          refused.length
            ? `${refused.length} refused permanently by ${s.to}: outbox ids ${refused.join(', ')}.`
            : '',
          s.switchBack
            ? `Next: probing ${s.switchBack.to} until it is healthy, then switching back (confirmed on its own).`
            : `Switch back with RB-N-07 to=${s.fromProvider ?? '<primary>'} once it is healthy (a separate, confirmed run).`,
        ]
          .filter(Boolean)
          .join('\n'),
        severity: inDoubt.length || refused.length ? 'warning' : 'info',
      };
    },
  });
}
