import { DrError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { RegionDeps, RegionState } from '../context.js';

/** Journaled when no public URL is configured to check the service through. */
export const NOT_CHECKED = 'skipped: no appUrl configured';

/**
 * PostChecks through the front door, as a user sees the service: `/healthz`, a `/dbcheck`
 * write, the seed's smoke checks (auth, search, profile, checkout in test mode, messaging),
 * and the new primary's replication state. Retried: HAProxy may need a check interval.
 */
export function postChecks(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'post-checks',
    title: 'Post-checks: health, /dbcheck write, smoke checks, replication state',
    retry: { attempts: 8, baseDelayMs: 250, maxDelayMs: 1000 },
    timeoutMs: 60_000,
    plan: () => [
      deps.frontDoorUrl
        ? `GET ${deps.frontDoorUrl}/healthz; POST /dbcheck; smoke: auth, search, profile, checkout (test mode), messaging; database replication status of the new primary`
        : `${NOT_CHECKED}: health, /dbcheck and smoke checks will NOT run`,
    ],
    async run(ctx) {
      if (!deps.frontDoorUrl) {
        // the data plane cannot be judged from the control plane: say so, never pass
        ctx.progress(`${NOT_CHECKED}: health, /dbcheck and smoke checks were NOT run`);
        return { postChecks: { ok: false, skipped: NOT_CHECKED, smoke: [], standbys: [] } };
      }
      const smoke = await deps.smoke(deps.frontDoorUrl);
      const failed = smoke.filter((r) => !r.ok);
      ctx.progress(
        smoke.map((r) => `${r.name} ${r.ok ? 'ok' : `FAILED (${r.detail})`} ${r.ms}ms`).join(', '),
      );
      let standbys: Array<{ name: string; lagBytes: number; syncState: string }> = [];
      if (ctx.state.newPrimary && deps.database.capabilities.has('replication-status')) {
        const rep = await deps.database.replication!(ctx.state.newPrimary);
        standbys = rep.standbys.map((s) => ({
          name: s.name,
          lagBytes: s.lagBytes,
          syncState: s.syncState,
        }));
        ctx.progress(
          standbys.length
            ? `standbys: ${standbys.map((s) => `${s.name} ${s.syncState} lag ${s.lagBytes} B`).join(', ')}`
            : 'no standby streams from the new primary: cut back with RB-N-08 to restore redundancy',
        );
      }
      if (failed.length) {
        throw new DrError(
          'VALIDATION_FAILED',
          `post-checks failed: ${failed.map((f) => `${f.name} (${f.detail})`).join('; ')}`,
          { retryable: true },
        );
      }
      return { postChecks: { ok: true, smoke, standbys } };
    },
  };
}

/** Notify: tells people what happened. */
export function notifyDone(deps: RegionDeps, what: string): Step<RegionState> {
  return notifyStep<RegionState>(deps.notifier, {
    message: ({ state: s, executionId }) => ({
      subject: `${what} complete: ${s.fromRegion} → ${s.toRegion}`,
      body: `${executionId}: primary is now ${s.newPrimary} in region ${s.toRegion} (${s.reason}). ${s.decision === 'restore' ? 'Restored from the latest backup: writes after it are lost.' : ''} ${s.postChecks?.skipped ? `Post-checks NOT run (${s.postChecks.skipped}): check the service by hand.` : ''} ${s.postChecks?.standbys.length ? '' : 'No standby: run RB-N-08 to cut back and restore redundancy.'}`.trim(),
      severity: s.decision === 'restore' ? 'critical' : 'warning',
    }),
  });
}
