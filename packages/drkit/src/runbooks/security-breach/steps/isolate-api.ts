import { DrError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { StageLimits } from '../params.js';
import {
  planBy,
  showLimits,
  splitStage,
  type SecurityBreachDeps,
  type SecurityBreachState,
} from '../context.js';

const ZERO = { rateLimit: 0, burstLimit: 0 } as const;

/**
 * Step 3 (destructive; seed: `aws apigateway update-stage … op=replace,path=/throttling/rateLimit,value=0`,
 * with the stage-wide method settings key and the burst too, since rate 0 alone still lets a
 * burst through): every stage to rate 0 / burst 0. The limits to put back are preflight's
 * reading, or what UpdateStage replaced when that is newer and not already zero — so a re-run
 * after a crash mid-step never records the zeros as the "previous" limits.
 */
export function isolateApi(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return {
    id: 'isolate-api',
    title: 'Throttle every API stage to rate 0 / burst 0 (record the previous limits)',
    destructive: true,
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      s.apiStages.flatMap((ref) => {
        const { apiId, stage } = splitStage(ref);
        return planBy(deps.apiGateway, deps.apiGateway.planSetThrottle(apiId, stage, ZERO));
      }),
    async run({ state: s, progress }) {
      const previousThrottles: StageLimits[] = [];
      for (const ref of s.apiStages) {
        const { apiId, stage } = splitStage(ref);
        const replaced = await deps.apiGateway.setThrottle(apiId, stage, ZERO);
        const before = s.stagesBefore?.find((t) => t.apiId === apiId && t.stage === stage);
        const replacedIsZero = replaced.rateLimit === 0 && replaced.burstLimit === 0;
        const prev =
          replacedIsZero && before
            ? before
            : { apiId, stage, rateLimit: replaced.rateLimit, burstLimit: replaced.burstLimit };
        previousThrottles.push({
          apiId,
          stage,
          ...(prev.rateLimit !== undefined ? { rateLimit: prev.rateLimit } : {}),
          ...(prev.burstLimit !== undefined ? { burstLimit: prev.burstLimit } : {}),
        });
        progress(`${ref}: ${showLimits(prev)} -> rate=0 burst=0`);
      }
      return { previousThrottles, isolatedAt: new Date().toISOString() };
    },
    async verify({ state: s }) {
      const open: string[] = [];
      for (const ref of s.apiStages) {
        const { apiId, stage } = splitStage(ref);
        const t = await deps.apiGateway.getThrottle(apiId, stage);
        if (t.rateLimit !== 0 || t.burstLimit !== 0) open.push(`${ref} (${showLimits(t)})`);
      }
      if (open.length > 0)
        throw new DrError('EXTERNAL', `stages still open after UpdateStage: ${open.join(', ')}`, {
          retryable: true,
        });
    },
  };
}
