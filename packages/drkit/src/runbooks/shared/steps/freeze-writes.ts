import type { Step } from '../../../engine/step.js';
import { sleep } from '../../../util/net.js';
import { setGlobalReadonly, viewApp, type AppEndpointDeps } from '../app-endpoint.js';

/** What the freeze step reads from and records in a runbook's state. */
export interface FreezeState {
  appConfigSecret: string;
  frozenAt?: string;
  /** Where the app pointed before the freeze (the endpoint only: the secret may hold a password). */
  previousConfig?: Record<string, unknown>;
}

/** Options of {@link freezeWrites}. */
export interface FreezeOptions<S> {
  /**
   * How long app tasks get to re-read `global_readonly` after it is written (they re-read every
   * 200 ms). @default 0
   */
  readonly graceMs?: (state: Readonly<S>) => number;
}

/**
 * Freezes writes: sets the app's `global_readonly` flag (every other field kept), records where
 * the app pointed (endpoint only), and gives app tasks `graceMs` to see it. Safe to run twice:
 * a second run keeps the endpoint the first one recorded.
 */
export function freezeWrites<S extends FreezeState>(
  deps: AppEndpointDeps,
  opts: FreezeOptions<S> = {},
): Step<S> {
  return {
    id: 'freeze-writes',
    title: 'Freeze writes (global_readonly=true)',
    retry: { attempts: 3, baseDelayMs: 200 },
    plan: (ctx) => {
      const grace = opts.graceMs?.(ctx.state) ?? 0;
      return [
        `secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: global_readonly=true (other keys unchanged)${grace ? `; wait ${grace} ms for app tasks to re-read it` : ''}`,
      ];
    },
    async run(ctx) {
      const cfg = await deps.secrets.get(ctx.state.appConfigSecret);
      const previousConfig = ctx.state.previousConfig ?? {
        endpoint: deps.appSecretFormat.view(cfg).endpoint ?? null,
      };
      await setGlobalReadonly(deps.secrets, ctx.state.appConfigSecret, true);
      const frozenAt = new Date().toISOString();
      const grace = opts.graceMs?.(ctx.state) ?? 0;
      if (grace > 0) await sleep(grace);
      return { frozenAt, previousConfig } as Partial<S>;
    },
    async verify(ctx) {
      const v = await viewApp(deps.secrets, ctx.state.appConfigSecret, deps.appSecretFormat);
      if (!v.globalReadonly) throw new Error('global_readonly did not stick');
    },
  };
}
