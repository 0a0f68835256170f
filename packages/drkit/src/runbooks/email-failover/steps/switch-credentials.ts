import type { Step } from '../../../engine/step.js';
import type { EmailFailoverDeps, EmailFailoverState } from '../context.js';

/**
 * Step 2 (destructive; seed: "switch provider credentials (Secrets in region B)"): the active
 * secret gets the new provider's credentials and its warm-up schedule, in one write. Safe to
 * run twice: a secret already naming the provider keeps its warm-up start.
 */
export function switchCredentials(deps: EmailFailoverDeps): Step<EmailFailoverState> {
  return {
    id: 'switch-credentials',
    title: 'Switch the active email provider credentials',
    destructive: true,
    retry: { attempts: 3 },
    plan: async ({ state: s }) => [
      ...deps.secrets.planGet(s.credentialsSecret),
      ...(await deps.secrets.planPut(s.activeSecret, {
        provider: s.to,
        warmup: `${s.warmupPerMinute.join(',')}/min, ${s.warmupStageSeconds} s per stage`,
      })),
      `(the credential fields come from ${s.credentialsSecret}; their values are never printed)`,
    ],
    async run({ state: s }) {
      const active = await deps.secrets.get(s.activeSecret);
      const creds = await deps.secrets.get(s.credentialsSecret);
      const kept =
        active.provider === s.to ? (active.warmup as EmailFailoverState['warmup']) : undefined;
      const warmup = kept ?? {
        startedAt: new Date().toISOString(),
        perMinute: [...s.warmupPerMinute],
        stageSeconds: s.warmupStageSeconds,
      };
      await deps.secrets.put(s.activeSecret, { ...creds, provider: s.to, warmup });
      return { switchedAt: warmup.startedAt, warmup };
    },
  };
}
