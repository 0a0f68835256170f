import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { PitrDeps, PitrState } from '../context.js';

/**
 * After the fast path consumed the delayed standby (it became the restored cluster), makes a
 * fresh one of the restored cluster under the same id and delay, once writes run again: the
 * outage does not wait for it. Records when protection is back; until then the journal and
 * `drkit verify` say there is none.
 */
export function rebuildDelayedStandby(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'rebuild-delayed-standby',
    title: 'Rebuild the delayed standby from the restored cluster (protection returns)',
    timeoutMs: 60 * 60_000,
    when: (ctx) => ctx.state.restorePath === 'delayed-standby' && !ctx.state.fallbackReason,
    plan: (ctx) => {
      const d = ctx.state.delayedStandby;
      const primary = ctx.state.restoredClusterId ?? ctx.state.newClusterId;
      return [
        `${deps.database.kind}: full backup of '${primary}' (its new stanza has none), then standby '${d?.id ?? '<the delayed standby>'}' of '${primary}' with recovery_min_apply_delay ${d?.applyDelaySeconds ?? '<its delay>'} s`,
      ];
    },
    async run(ctx) {
      const d = ctx.state.delayedStandby;
      const primary = ctx.state.restoredClusterId;
      if (!d || !primary || !deps.database.rebuildDelayedStandby)
        throw new PreconditionError('no delayed standby or restored cluster recorded');
      const r = await deps.database.rebuildDelayedStandby(primary, d.id, {
        applyDelaySeconds: d.applyDelaySeconds,
        progress: (m) => ctx.progress(m),
      });
      const at = new Date().toISOString();
      ctx.progress(
        `delayed standby '${d.id}' of '${primary}' streams again: protection back at ${at}`,
      );
      return {
        delayedStandbyRebuiltAt: at,
        ...(r.backupLabel ? { delayedStandbyBackup: r.backupLabel } : {}),
      };
    },
  };
}
