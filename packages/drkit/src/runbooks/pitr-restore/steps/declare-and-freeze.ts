import { LAB_APP_FORMAT, setGlobalReadonly, viewApp } from '../../../lab/app-config.js';
import type { Step } from '../../../engine/step.js';
import { confirmFreeze } from '../../freeze-confirmation.js';
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
  return {
    id: 'freeze-writes',
    title: 'Freeze writes (global_readonly=true)',
    retry: { attempts: 3, baseDelayMs: 200 },
    plan: (ctx) => [
      `secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: global_readonly=true (other keys unchanged)`,
      deps.appTasks
        ? 'wait until every app task confirms on /healthz: global_readonly applied, no write in flight (timeout 5 s)'
        : 'no app tasks to ask: the freeze is not confirmed by the app',
    ],
    async run(ctx) {
      const cfg = await deps.secrets.get(ctx.state.appConfigSecret);
      // Idempotent: a second run keeps the config saved by the first. Only the endpoint is
      // kept in the journal: the secret may hold the database password.
      const previous = ctx.state.previousConfig ?? {
        endpoint: (deps.appSecretFormat ?? LAB_APP_FORMAT).view(cfg).endpoint ?? null,
      };
      await setGlobalReadonly(deps.secrets, ctx.state.appConfigSecret, true);
      if (!deps.appTasks) return { frozenAt: new Date().toISOString(), previousConfig: previous };
      const confirmation = await confirmFreeze({ tasks: deps.appTasks });
      return {
        frozenAt: confirmation.confirmedAt,
        freezeConfirmation: confirmation,
        previousConfig: previous,
      };
    },
    async verify(ctx) {
      if (
        !(await viewApp(deps.secrets, ctx.state.appConfigSecret, deps.appSecretFormat))
          .globalReadonly
      )
        throw new Error('global_readonly did not stick');
    },
  };
}
