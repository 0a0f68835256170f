import type { Step } from '../../../engine/step.js';
import { planBy, type SecurityBreachDeps, type SecurityBreachState } from '../context.js';

/**
 * Step 5 (destructive; seed: `aws cognito-idp admin-user-global-sign-out --username "*"`, which
 * matches no user): lists each pool page by page and signs every user out
 * (AdminUserGlobalSignOut revokes their refresh tokens). Safe to run twice.
 */
export function signOutUsers(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return {
    id: 'sign-out-users',
    title: 'Sign out every user of every listed user pool',
    destructive: true,
    retry: { attempts: 3 },
    timeoutMs: 2 * 60 * 60_000,
    plan: ({ state: s }) =>
      s.userPools.flatMap((pool) =>
        planBy(deps.identity, deps.identity.planSignOutAll(pool, { concurrency: s.concurrency })),
      ),
    async run({ state: s, progress }) {
      const signedOut: Record<string, number> = {};
      for (const pool of s.userPools) {
        let last = 0;
        const r = await deps.identity.signOutAll(pool, {
          concurrency: s.concurrency,
          onProgress: (n) => {
            if (Date.now() - last > 2000) {
              last = Date.now();
              progress(`${pool}: ${n} users signed out`);
            }
          },
        });
        signedOut[pool] = r.signedOut;
        progress(`${pool}: ${r.signedOut} users signed out`);
      }
      return { signedOut, signedOutAt: new Date().toISOString() };
    },
  };
}
