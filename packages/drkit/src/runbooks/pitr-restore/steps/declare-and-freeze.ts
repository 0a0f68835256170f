import { freezeWrites as sharedFreeze } from '../../shared/steps/freeze-writes.js';
import type { Step } from '../../../engine/step.js';
import type { PitrDeps, PitrState } from '../context.js';

/** Declares the incident: notifies, and records when. */
export function declareIncident(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'declare-incident',
    title: 'Declare SEV: point-in-time restore after logical corruption',
    plan: (ctx) => [
      `notify ${deps.notifier.kind}: SEV declared on '${ctx.state.source}' (${ctx.state.reason}); PITR to ${ctx.state.target}`,
    ],
    async run(ctx) {
      const at = new Date();
      await deps.notifier.notify({
        subject: `SEV declared: ${ctx.state.reason} on ${ctx.state.source}`,
        body: `RB-N-02 execution ${ctx.executionId}: restoring '${ctx.state.source}' to ${ctx.state.target} into '${ctx.state.newClusterId}'. Writes are being frozen.`,
        severity: 'critical',
        at,
      });
      return { declaredAt: at.toISOString() };
    },
  };
}

/** Sets the application's `global_readonly` flag: the app stops accepting writes. */
export function freezeWrites(deps: PitrDeps): Step<PitrState> {
  return sharedFreeze<PitrState>(deps);
}
