import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { DbCredentials } from '../../../ports/db-credentials.js';
import type { PitrDeps, PitrState } from '../context.js';

/**
 * Before the swap (only with a `dbCredentials` port): the restored cluster holds the app's
 * login roles as they were at the target, so after a credential rotation (a security breach)
 * the current role is missing and the revoked one can log in again. This gives the restored
 * cluster the role the app secret names and revokes every other app login role, so the app
 * connects on the swap and a compromised credential stays revoked. Safe to run twice.
 */
export function carryCredentials(
  deps: PitrDeps & { readonly credentials: DbCredentials },
): Step<PitrState> {
  return {
    id: 'carry-credentials',
    title: 'Give the restored cluster the app’s current credential only',
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      deps.credentials
        .planEnforce(
          s.restoredEndpoint ?? {
            host: `<${s.restoredClusterId ?? s.newClusterId}>`,
            port: 0,
            database: '',
            user: '',
          },
        )
        .map((l) => `${deps.credentials.kind}: ${l}`),
    async run({ state: s, progress }) {
      if (!s.restoredEndpoint)
        throw new PreconditionError(
          'no restored cluster recorded: the restore step did not finish',
        );
      const r = await deps.credentials.enforce(s.restoredEndpoint);
      progress(
        r.current
          ? `${r.current} ${r.created ? 'created' : 'kept'}; revoked ${r.revoked.join(', ') || 'none'}`
          : 'the app uses no login role of its own: nothing to carry',
      );
      return { credentialsCarried: r };
    },
  };
}
