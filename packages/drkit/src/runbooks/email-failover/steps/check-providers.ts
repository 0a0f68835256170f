import { CapabilityError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { openTarget, type EmailFailoverDeps, type EmailFailoverState } from '../context.js';

/**
 * Step 1 (read-only): which provider is active, how it has been failing (the outbox's attempts
 * over the window), how many messages wait for a resend, and whether the new provider can keep
 * their Message-ID (without it a resend is not recognisable as the same message).
 */
export function checkProviders(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return {
    id: 'check-providers',
    title: 'Read the active provider, its failure rate and the failed messages',
    retry: { attempts: 3 },
    plan: ({ state: s }) => [
      ...deps.secrets.planGet(s.activeSecret),
      ...deps.secrets.planGet(s.credentialsSecret),
      `read the outbox: attempts per provider over the last ${s.windowSeconds} s, ${s.criticalOnly ? 'critical ' : ''}messages in status failed`,
    ],
    async run({ state: s }) {
      const active = await deps.secrets.get(s.activeSecret);
      const target = await openTarget(deps, s);
      if (!target.capabilities.has('message-id')) {
        throw new CapabilityError(
          `email provider '${s.to}' (${target.kind}) cannot keep a message's Message-ID`,
          { hint: 'a resend through it would not be recognisable as the same message' },
        );
      }
      const fromProvider = String(active.provider ?? 'unknown');
      const o = await deps.outbox.outcomes(new Date(Date.now() - s.windowSeconds * 1000));
      const failed = await deps.outbox.list('failed', { criticalOnly: s.criticalOnly });
      return {
        fromProvider,
        failureRate: o.byProvider[fromProvider] ?? { sent: 0, failed: 0 },
        failedBefore: failed.length,
      };
    },
  };
}
