import { NotFoundError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { Runbook } from '../../engine/runbook.js';
import type { Secrets } from '../../ports/secrets.js';
import { defineRunbook, parseParams } from '../entry.js';
import type { EmailFailoverDeps, EmailFailoverState } from './context.js';
import { EmailFailoverParamsSchema } from './params.js';
import { alertFailover } from './steps/alert-failover.js';
import { checkProviders } from './steps/check-providers.js';
import { notifyOutcome } from './steps/notify.js';
import { resendFailed } from './steps/resend-failed.js';
import { notifySwitchBack, probeSwitchBack, switchBack } from './steps/switch-back.js';
import { switchCredentials } from './steps/switch-credentials.js';

export type { EmailFailoverDeps, EmailFailoverState } from './context.js';
export { EmailFailoverParamsSchema, type EmailFailoverParams } from './params.js';

/** RB-N-07's id in journals and on the command line. */
export const EMAIL_FAILOVER_RUNBOOK_ID = 'rb-n-07';
const TITLE = 'RB-N-07 Email (SES/secondary) failover';

/**
 * RB-N-07 — email provider failover (the provider refuses, throttles or is unreachable): read
 * the active provider and what failed, switch the credentials the app reads (destructive),
 * alert, re-send the failed critical messages through the new provider with their Message-ID
 * and never twice, at the warm-up pace, then notify. With `switchBackTo`, it then probes that
 * provider until it is healthy and switches back in a step confirmed on its own; without, the
 * switch back is the same runbook with `to=<primary>`, run separately.
 */
export function createEmailFailoverRunbook(deps: EmailFailoverDeps): Runbook<EmailFailoverState> {
  return {
    id: EMAIL_FAILOVER_RUNBOOK_ID,
    title: TITLE,
    lockKey: (s) => `mail:${s.activeSecret}`,
    steps: [
      checkProviders(deps),
      switchCredentials(deps),
      alertFailover(deps),
      resendFailed(deps),
      notifyOutcome(deps),
      probeSwitchBack(deps),
      switchBack(deps),
      notifySwitchBack(deps),
    ],
  };
}

/** RB-N-07 as `drkit runbook run rb-n-07` (and the email drill) runs it. */
export const emailFailover = defineRunbook({
  id: EMAIL_FAILOVER_RUNBOOK_ID,
  aliases: ['email-failover'],
  title: TITLE,
  params: EmailFailoverParamsSchema,
  paramNote: 'to names a provider under mail.providers in the config',
  needs: ['mailers', 'mailSecrets', 'mailOutbox', 'notifier'],
  // every bad input is refused here, before anything runs or changes
  async normalize(raw, { ports, config, hint }): Promise<EmailFailoverState> {
    const p = parseParams(EmailFailoverParamsSchema, raw, hint);
    const known = Object.keys(config.mail.providers);
    const provider = config.mail.providers[p.to];
    if (!provider) {
      throw new UsageError(`unknown email provider '${p.to}'`, {
        hint: known.length
          ? `known providers (mail.providers in the config): ${known.join(', ')}`
          : 'no provider is configured: add mail.providers.<name>.credentialsSecret to the config',
      });
    }
    const creds = await mustGet(
      ports.mailSecrets,
      provider.credentialsSecret,
      `the credentials secret of email provider '${p.to}'`,
    );
    ports.mailers.open(creds); // an unknown kind or a missing field: UsageError naming it
    await mustGet(ports.mailSecrets, config.mail.activeSecret, 'the active email provider secret');
    let switchBack: EmailFailoverState['switchBack'];
    if (p.switchBackTo !== undefined) {
      const back = config.mail.providers[p.switchBackTo];
      if (!back) {
        throw new UsageError(`unknown email provider '${p.switchBackTo}' (switchBackTo)`, {
          hint: `known providers (mail.providers in the config): ${known.join(', ')}`,
        });
      }
      if (p.switchBackTo === p.to) {
        throw new UsageError(`switchBackTo=${p.switchBackTo} is the provider failed over to`, {
          hint: 'name the provider to return to once it is healthy (usually the primary)',
        });
      }
      if (p.probeTo === undefined) {
        throw new UsageError('switchBackTo needs probeTo: the address the health probes go to', {
          hint: `${hint}; e.g. --param probeTo=postmaster@your-domain`,
        });
      }
      const backCreds = await mustGet(
        ports.mailSecrets,
        back.credentialsSecret,
        `the credentials secret of email provider '${p.switchBackTo}'`,
      );
      ports.mailers.open(backCreds);
      switchBack = {
        to: p.switchBackTo,
        credentialsSecret: back.credentialsSecret,
        probeTo: p.probeTo,
        healthyProbes: p.healthyProbes,
        probeIntervalSeconds: p.probeIntervalSeconds,
        waitSeconds: p.switchBackWaitSeconds,
      };
    }
    return {
      ...(switchBack ? { switchBack } : {}),
      to: p.to,
      credentialsSecret: provider.credentialsSecret,
      activeSecret: config.mail.activeSecret,
      warmupPerMinute: p.warmupPerMinute ?? config.mail.warmupPerMinute,
      warmupStageSeconds: p.warmupStageSeconds ?? config.mail.warmupStageSeconds,
      criticalOnly: p.criticalOnly,
      windowSeconds: p.windowSeconds,
    };
  },
  create: (ports) =>
    createEmailFailoverRunbook({
      mailers: ports.mailers,
      secrets: ports.mailSecrets,
      outbox: ports.mailOutbox,
      notifier: ports.notifier,
    }),
});

async function mustGet(
  secrets: Secrets,
  name: string,
  what: string,
): Promise<Record<string, unknown>> {
  try {
    return await secrets.get(name);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    throw new PreconditionError(`${what} (${name}) is missing from ${secrets.kind}`, {
      cause: err,
      hint: 'create it (drkit never guesses credentials), or fix the name in mail.* of the config',
    });
  }
}
