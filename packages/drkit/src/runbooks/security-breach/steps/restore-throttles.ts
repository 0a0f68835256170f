import { DrError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { StageLimits } from '../params.js';
import {
  needThrottling,
  planBy,
  showLimits,
  type RestoreAccessState,
  type SecurityBreachDeps,
} from '../context.js';

/**
 * The limits to put back on each stage: the recorded ones. A limit recorded as the account
 * default (no stage setting) stays undefined, so the stage's own limit is removed again,
 * unless `defaultLimits` gives values to set there instead.
 * @throws PreconditionError for a recorded 0/0 (the breach run found the stage already cut)
 */
export function targetLimits(s: RestoreAccessState): StageLimits[] {
  const [dRate, dBurst] = s.defaultLimits
    ? s.defaultLimits.split(':').map(Number)
    : [undefined, undefined];
  const zero = s.throttles
    .filter((t) => t.rateLimit === 0 && t.burstLimit === 0)
    .map((t) => `${t.apiId}/${t.stage}`);
  if (zero.length > 0) {
    throw new PreconditionError(
      `the recorded limits of ${zero.join(', ')} are rate 0 / burst 0: the breach run found them already isolated`,
      {
        hint: 'restore from the execution that isolated them first, or give the limits: --param throttles=<apiId/stage=rate:burst,…>',
      },
    );
  }
  return s.throttles.map((t) => {
    const rateLimit = t.rateLimit ?? dRate;
    const burstLimit = t.burstLimit ?? dBurst;
    return {
      apiId: t.apiId,
      stage: t.stage,
      ...(rateLimit !== undefined ? { rateLimit } : {}),
      ...(burstLimit !== undefined ? { burstLimit } : {}),
    };
  });
}

/** Step 1 of the way back: every stage exists; records what it is at now (expected 0/0). */
export function checkStages(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  const read = async (s: RestoreAccessState) => {
    needThrottling(deps.apiGateway);
    targetLimits(s);
    const out: StageLimits[] = [];
    for (const t of s.throttles)
      out.push({
        apiId: t.apiId,
        stage: t.stage,
        ...(await deps.apiGateway.getThrottle(t.apiId, t.stage)),
      });
    return out;
  };
  return {
    id: 'check-stages',
    title: 'Check every stage exists and read its current limits',
    retry: { attempts: 3 },
    plan: async ({ state: s }) =>
      (await read(s)).flatMap((t) =>
        planBy(
          deps.apiGateway,
          deps.apiGateway.planGetThrottle(t.apiId, t.stage),
          `  # now ${showLimits(t)}`,
        ),
      ),
    run: async ({ state: s }) => ({ stagesAtStart: await read(s) }),
  };
}

/**
 * Step 2 (destructive): puts the recorded limits back on every stage, removing the stage's own
 * limit where it had none (account default), and reads them back. Safe to run twice.
 */
export function restoreThrottles(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  return {
    id: 'restore-throttles',
    title: 'Put back every stage’s previous limits',
    destructive: true,
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      targetLimits(s).flatMap((t) =>
        planBy(
          deps.apiGateway,
          deps.apiGateway.planRestoreThrottle(t.apiId, t.stage, {
            rateLimit: t.rateLimit,
            burstLimit: t.burstLimit,
          }),
        ),
      ),
    async run({ state: s, progress }) {
      for (const t of targetLimits(s)) {
        await deps.apiGateway.restoreThrottle(t.apiId, t.stage, {
          rateLimit: t.rateLimit,
          burstLimit: t.burstLimit,
        });
        progress(`${t.apiId}/${t.stage}: ${showLimits(t)}`);
      }
      return { restoredAt: new Date().toISOString() };
    },
    async verify({ state: s }) {
      const off: string[] = [];
      for (const t of targetLimits(s)) {
        const now = await deps.apiGateway.getThrottle(t.apiId, t.stage);
        if (now.rateLimit !== t.rateLimit || now.burstLimit !== t.burstLimit)
          off.push(`${t.apiId}/${t.stage} (${showLimits(now)}, want ${showLimits(t)})`);
      }
      if (off.length > 0)
        throw new DrError('EXTERNAL', `stages not back to their limits: ${off.join(', ')}`, {
          retryable: true,
        });
    },
  };
}

/** Step 3: tells people access is back. */
export function notifyRestored(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  return notifyStep<RestoreAccessState>(deps.notifier, {
    id: 'notify-restored',
    title: 'Notify: API access restored',
    retry: { attempts: 3 },
    message: ({ state: s }) => ({
      subject: `SECURITY BREACH ${s.incidentId}: API access restored`,
      body: [
        `Reason: ${s.reason}.`,
        ...targetLimits(s).map((t) => `${t.apiId}/${t.stage}: ${showLimits(t)}`),
        ...(s.fromExecution ? [`Limits recorded by execution ${s.fromExecution}.`] : []),
      ].join('\n'),
      severity: 'warning',
    }),
  });
}
