import { DrError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { StageLimits } from '../params.js';
import { needThrottling, showLimits, type RestoreAccessState, type SecurityBreachDeps } from '../context.js';

/**
 * The limits to set on each stage: the recorded ones, with `defaultLimits` where a limit was
 * the account default (the adapter sets limits, it cannot remove a stage setting).
 * @throws PreconditionError for a recorded 0/0 or an unset limit without `defaultLimits`
 */
export function targetLimits(s: RestoreAccessState): Array<Required<StageLimits>> {
  const [dRate, dBurst] = s.defaultLimits ? s.defaultLimits.split(':').map(Number) : [undefined, undefined];
  const zero = s.throttles.filter((t) => t.rateLimit === 0 && t.burstLimit === 0).map((t) => `${t.apiId}/${t.stage}`);
  if (zero.length > 0) {
    throw new PreconditionError(`the recorded limits of ${zero.join(', ')} are rate 0 / burst 0: the breach run found them already isolated`, {
      hint: 'restore from the execution that isolated them first, or give the limits: --param throttles=<apiId/stage=rate:burst,…>',
    });
  }
  const unset = s.throttles.filter((t) => (t.rateLimit === undefined && dRate === undefined) || (t.burstLimit === undefined && dBurst === undefined));
  if (unset.length > 0) {
    throw new PreconditionError(`${unset.map((t) => `${t.apiId}/${t.stage}`).join(', ')} had no stage limit before (the account default), which the API gateway adapter cannot put back by removing the setting`, {
      hint: "give the account's limits to set instead: --param defaultLimits=<rate>:<burst> (AWS's usual default is 10000:5000), or explicit --param throttles=…",
    });
  }
  return s.throttles.map((t) => ({ apiId: t.apiId, stage: t.stage, rateLimit: t.rateLimit ?? dRate!, burstLimit: t.burstLimit ?? dBurst! }));
}

/** Step 1 of the way back: every stage exists; records what it is at now (expected 0/0). */
export function checkStages(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  const read = async (s: RestoreAccessState) => {
    needThrottling(deps.apiGateway);
    targetLimits(s);
    const out: StageLimits[] = [];
    for (const t of s.throttles) out.push({ apiId: t.apiId, stage: t.stage, ...(await deps.apiGateway.getThrottle(t.apiId, t.stage)) });
    return out;
  };
  return {
    id: 'check-stages',
    title: 'Check every stage exists and read its current limits',
    retry: { attempts: 3 },
    plan: async ({ state: s }) => (await read(s)).map((t) => `${deps.apiGateway.kind}: apigateway:GetStage restApiId=${t.apiId} stageName=${t.stage}  # now ${showLimits(t)}`),
    run: async ({ state: s }) => ({ stagesAtStart: await read(s) }),
  };
}

/** Step 2 (destructive): puts the recorded limits back on every stage and reads them back. */
export function restoreThrottles(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  return {
    id: 'restore-throttles',
    title: 'Put back every stage’s previous limits',
    destructive: true,
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      targetLimits(s).map(
        (t) =>
          `${deps.apiGateway.kind}: apigateway:UpdateStage restApiId=${t.apiId} stageName=${t.stage} patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:${t.rateLimit}},{op:replace,path:/*/*/throttling/burstLimit,value:${t.burstLimit}}]`,
      ),
    async run({ state: s, progress }) {
      for (const t of targetLimits(s)) {
        await deps.apiGateway.setThrottle(t.apiId, t.stage, { rateLimit: t.rateLimit, burstLimit: t.burstLimit });
        progress(`${t.apiId}/${t.stage}: ${showLimits(t)}`);
      }
      return { restoredAt: new Date().toISOString() };
    },
    async verify({ state: s }) {
      const off: string[] = [];
      for (const t of targetLimits(s)) {
        const now = await deps.apiGateway.getThrottle(t.apiId, t.stage);
        if (now.rateLimit !== t.rateLimit || now.burstLimit !== t.burstLimit) off.push(`${t.apiId}/${t.stage} (${showLimits(now)}, want ${showLimits(t)})`);
      }
      if (off.length > 0) throw new DrError('EXTERNAL', `stages not back to their limits: ${off.join(', ')}`, { retryable: true });
    },
  };
}

/** Step 3: tells people access is back. */
export function notifyRestored(deps: SecurityBreachDeps): Step<RestoreAccessState> {
  return {
    id: 'notify-restored',
    title: 'Notify: API access restored',
    retry: { attempts: 3 },
    plan: ({ state: s }) => [`${deps.notifier.kind}: notify severity=warning "SECURITY BREACH ${s.incidentId}: API access restored"`],
    async run({ state: s }) {
      await deps.notifier.notify({
        subject: `SECURITY BREACH ${s.incidentId}: API access restored`,
        body: [`Reason: ${s.reason}.`, ...targetLimits(s).map((t) => `${t.apiId}/${t.stage}: ${showLimits(t)}`), ...(s.fromExecution ? [`Limits recorded by execution ${s.fromExecution}.`] : [])].join('\n'),
        severity: 'warning',
      });
      return { notifiedAt: new Date().toISOString() };
    },
  };
}
