import { freezeWrites as sharedFreeze } from '../../shared/steps/freeze-writes.js';
import { declare, planDeclare, type DeclareRequest } from '../../shared/incident.js';
import type { Step, StepContext } from '../../../engine/step.js';
import type { PitrDeps, PitrState } from '../context.js';

/** Declares the incident: opens it on the desk (paged per the matrix), and records when. */
export function declareIncident(deps: PitrDeps): Step<PitrState> {
  const request = (ctx: StepContext<PitrState>): DeclareRequest => ({
    executionId: ctx.executionId,
    severity: ctx.state.severity ?? 'SEV1',
    drill: ctx.state.drill ?? false,
    components: ['database', 'api'],
    message: {
      subject: `SEV declared: ${ctx.state.reason} on ${ctx.state.source}`,
      body: `RB-N-02 execution ${ctx.executionId}: restoring '${ctx.state.source}' to ${ctx.state.target} into '${ctx.state.newClusterId}'. Writes are being frozen.`,
      severity: 'critical',
    },
  });
  return {
    id: 'declare-incident',
    title: 'Declare SEV: point-in-time restore after logical corruption',
    plan: (ctx) => planDeclare(deps.incidents, deps.notifier, request(ctx)),
    run: async (ctx) => await declare(deps.incidents, deps.notifier, request(ctx)),
  };
}

/** Sets the application's `global_readonly` flag: the app stops accepting writes. */
export function freezeWrites(deps: PitrDeps): Step<PitrState> {
  return sharedFreeze<PitrState>(deps);
}
