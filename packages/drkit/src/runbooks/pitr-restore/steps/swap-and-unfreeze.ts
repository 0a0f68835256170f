import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { assertAppPointsAt, pointAppAt, unfreezeApp } from '../../../lab/app-config.js';
import type { PitrDeps, PitrState } from '../context.js';

/** Points the application at the restored cluster (it reconnects without a restart). */
export function swapConnections(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'swap-connections',
    title: 'Swap the application to the restored cluster',
    destructive: true,
    plan: (ctx) => [`secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: db -> endpoint of '${ctx.state.restoredClusterId ?? ctx.state.newClusterId}' (writes stay frozen)`],
    async run(ctx) {
      const ep = ctx.state.restoredEndpoint;
      if (!ep || !ctx.state.restoredClusterId) throw new PreconditionError('no restored cluster recorded');
      if (ctx.state.validation && !ctx.state.validation.ok && ctx.state.validation.mode === 'expected-checksums') {
        throw new PreconditionError('validation failed: refusing to swap');
      }
      await pointAppAt(deps.secrets, ctx.state.appConfigSecret, ctx.state.restoredClusterId, ep, { globalReadonly: true });
      return { swappedAt: new Date().toISOString() };
    },
    async verify(ctx) {
      await assertAppPointsAt(deps.secrets, ctx.state.appConfigSecret, ctx.state.restoredClusterId, 'restored cluster');
    },
  };
}

/** Clears `global_readonly`: the application takes writes again, on the restored cluster. */
export function unfreezeWrites(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'unfreeze-writes',
    title: 'Unfreeze writes (global_readonly=false)',
    plan: (ctx) => [`secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: global_readonly=false`],
    async run(ctx) {
      await unfreezeApp(deps.secrets, ctx.state.appConfigSecret, ctx.state.restoredClusterId, 'restored cluster');
      return { unfrozenAt: new Date().toISOString() };
    },
  };
}
