import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { mailFailureOf } from '../../../ports/mailer.js';
import { sleep } from '../../../util/net.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { EmailFailoverDeps, EmailFailoverState, SwitchBack } from '../context.js';

/** One probe message through the provider being switched back to: ok, or why it failed. */
async function probe(
  deps: EmailFailoverDeps,
  b: SwitchBack,
  executionId: string,
  n: number,
): Promise<{ ok: true; messageId: string } | { ok: false; why: string }> {
  // unique across attempts (a resumed step counts from 1 again)
  const messageId = `drkit-probe-${executionId}-${n}-${Date.now().toString(36)}@drkit.invalid`;
  try {
    const mailer = deps.mailers.open(await deps.secrets.get(b.credentialsSecret));
    await mailer.send({
      from: b.probeTo,
      to: [b.probeTo],
      subject: `drkit RB-N-07 health probe of ${b.to} (${n})`,
      text: `A health probe before RB-N-07 switches the outgoing mail back to ${b.to}. No action needed.`,
      messageId,
    });
    return { ok: true, messageId };
  } catch (err) {
    const f = mailFailureOf(err);
    if (f === undefined) throw err;
    return { ok: false, why: `${f}: ${(err as Error).message.slice(0, 200)}` };
  }
}

/**
 * Step 6 (read-only but for the probe messages; seed: "switch back when the primary is
 * healthy"): probe the provider being switched back to with a real message to `probeTo`
 * until `healthyProbes` in a row are accepted, for at most `switchBackWaitSeconds`. A provider
 * still failing stops the run here (the failover and its resend are done and journaled):
 * resume it once the provider is healthy.
 */
export function probeSwitchBack(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return {
    id: 'probe-switch-back',
    title: 'Probe the provider to switch back to until it is healthy',
    when: ({ state: s }) => s.switchBack !== undefined,
    timeoutMs: 24 * 60 * 60_000,
    plan: ({ state: s }) => {
      const b = s.switchBack;
      if (!b) return ['no switch back in this run (switchBackTo not given)'];
      return [
        ...deps.secrets.planGet(b.credentialsSecret),
        `send a probe message to ${b.probeTo} through ${b.to} every ${b.probeIntervalSeconds} s until ${b.healthyProbes} in a row are accepted, for at most ${b.waitSeconds} s`,
      ];
    },
    async run({ state: s, executionId, signal, progress }) {
      const b = s.switchBack!;
      const deadline = Date.now() + b.waitSeconds * 1000;
      const probes = { ...(s.switchBackProbes ?? { accepted: 0, refused: 0 }) };
      let inARow = 0;
      let last = '';
      for (let n = probes.accepted + probes.refused + 1; ; n++) {
        signal.throwIfAborted();
        const r = await probe(deps, b, executionId, n);
        if (r.ok) {
          probes.accepted++;
          inARow++;
        } else {
          probes.refused++;
          inARow = 0;
          last = r.why;
        }
        if (inARow >= b.healthyProbes) {
          progress(`${b.to} accepted ${inARow} probes in a row`);
          return { switchBackProbes: probes, switchBackHealthyAt: new Date().toISOString() };
        }
        if (Date.now() + b.probeIntervalSeconds * 1000 > deadline) break;
        await sleep(b.probeIntervalSeconds * 1000);
      }
      throw new PreconditionError(
        `email provider '${b.to}' is not healthy yet: ${probes.refused} of ${probes.accepted + probes.refused} probes refused within ${b.waitSeconds} s (last: ${last || 'accepted, too few in a row'})`,
        {
          hint: `mail still goes through ${s.to}; resume this execution (drkit runbook resume ${executionId}) once ${b.to} is healthy`,
          details: { probes },
        },
      );
    },
  };
}

/**
 * Step 7 (destructive, confirmed on its own): the active secret gets the original provider's
 * credentials back, without a warm-up schedule (its sending reputation is established), after
 * one more probe right before the write.
 */
export function switchBack(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return {
    id: 'switch-back',
    title: 'Switch the active email provider back',
    destructive: true,
    retry: { attempts: 3 },
    when: ({ state: s }) => s.switchBack !== undefined,
    plan: async ({ state: s }) => {
      const b = s.switchBack;
      if (!b) return ['no switch back in this run (switchBackTo not given)'];
      return [
        `one more probe through ${b.to}, then:`,
        ...deps.secrets.planGet(b.credentialsSecret),
        ...(await deps.secrets.planPut(s.activeSecret, { provider: b.to, warmup: 'none' })),
        `(the credential fields come from ${b.credentialsSecret}; their values are never printed)`,
      ];
    },
    async run({ state: s, executionId }) {
      const b = s.switchBack!;
      const active = await deps.secrets.get(s.activeSecret);
      if (active.provider !== b.to) {
        const n = (s.switchBackProbes?.accepted ?? 0) + (s.switchBackProbes?.refused ?? 0) + 1;
        const r = await probe(deps, b, executionId, n);
        if (!r.ok) {
          throw new PreconditionError(
            `email provider '${b.to}' refused the last probe before the switch back: ${r.why}`,
            {
              hint: `resume this execution once ${b.to} is healthy (mail still goes through ${s.to})`,
            },
          );
        }
        const creds = await deps.secrets.get(b.credentialsSecret);
        await deps.secrets.put(s.activeSecret, { ...creds, provider: b.to });
      }
      return { switchedBackAt: new Date().toISOString() };
    },
  };
}

/** Step 8: the switch back is never silent either. */
export function notifySwitchBack(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  const step = notifyStep<EmailFailoverState>(deps.notifier, {
    id: 'notify-switch-back',
    title: 'Notify the switch back',
    retry: { attempts: 3 },
    message: ({ state: s }) => ({
      subject: `RB-N-07 email switched back: ${s.to} → ${s.switchBack?.to ?? '<primary>'}`,
      body: [
        `Outgoing mail goes through ${s.switchBack?.to ?? '<primary>'} again${s.switchedBackAt ? ` since ${s.switchedBackAt}` : ''}.`,
        s.switchBackProbes
          ? `Health probes: ${s.switchBackProbes.accepted} accepted, ${s.switchBackProbes.refused} refused.`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
      severity: 'info',
    }),
  });
  return {
    ...step,
    when: (ctx) => ctx.state.switchBack !== undefined && (step.when?.(ctx) ?? true),
  };
}
