import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { runSmokeChecks } from '../../../validate/smoke.js';
import type { FullRecoveryState } from '../context.js';

/** Seed 003's smoke tests through the front door: health, a write, auth, search, profile, checkout, messaging. */
export function smokeTest(): Step<FullRecoveryState> {
  return {
    id: 'smoke-test',
    title: 'Smoke tests through the front door',
    retry: { attempts: 3, baseDelayMs: 1000, retryAll: true },
    plan: ({ state: s }) => [
      `through ${s.frontDoorUrl}: GET /healthz; POST /dbcheck; POST /auth/login; GET /search; GET /users/1; POST /checkout (test mode); POST+GET /messages — every one must pass`,
    ],
    async run({ state: s, progress }) {
      const results = await runSmokeChecks(s.frontDoorUrl);
      const line = results
        .map((r) => `${r.name} ${r.ok ? 'ok' : `FAILED (${r.detail})`}`)
        .join(', ');
      progress(line);
      if (results.some((r) => !r.ok))
        throw new ValidationFailedError(`smoke tests failed: ${line}`, {
          hint: 'the service answers but not correctly: see each check, fix, then `drkit runbook resume`',
        });
      return { smoke: { checkedAt: new Date().toISOString(), results } };
    },
  };
}
