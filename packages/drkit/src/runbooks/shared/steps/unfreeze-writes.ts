import type { Step } from '../../../engine/step.js';
import { unfreezeApp, type AppEndpointDeps } from '../app-endpoint.js';

/** What the unfreeze step reads from and records in a runbook's state. */
export interface UnfreezeState {
  appConfigSecret: string;
  unfrozenAt?: string;
}

/**
 * Lifts the freeze (`global_readonly=false`), but only while the app points at the cluster the
 * recovery produced (`clusterOf`, named `what` in errors): never onto the old database.
 */
export function unfreezeWrites<S extends UnfreezeState>(
  deps: AppEndpointDeps,
  target: { readonly clusterOf: (state: Readonly<S>) => string | undefined; readonly what: string },
): Step<S> {
  return {
    id: 'unfreeze-writes',
    title: 'Unfreeze writes (global_readonly=false)',
    plan: (ctx) => [
      `secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: global_readonly=false`,
    ],
    async run(ctx) {
      await unfreezeApp(
        deps.secrets,
        ctx.state.appConfigSecret,
        target.clusterOf(ctx.state),
        target.what,
        deps.appSecretFormat,
      );
      return { unfrozenAt: new Date().toISOString() } as Partial<S>;
    },
  };
}
