import type { Step } from '../../../engine/step.js';
import type { AppTasks } from '../../../ports/app-tasks.js';
import { sleep } from '../../../util/net.js';
import { setGlobalReadonly, viewApp, type AppEndpointDeps } from '../app-endpoint.js';
import { confirmFreeze, type FreezeConfirmation } from '../freeze-confirmation.js';

/** What the freeze step reads from and records in a runbook's state. */
export interface FreezeState {
  appConfigSecret: string;
  frozenAt?: string;
  /** Where the app pointed before the freeze (the endpoint only: the secret may hold a password). */
  previousConfig?: Record<string, unknown>;
  /** Each app task's confirmation of the freeze; absent when the runbook had no tasks to ask. */
  freezeConfirmation?: FreezeConfirmation;
}

/** What the freeze step needs: the app endpoint secret and, when reachable, the app's tasks. */
export interface FreezeDeps extends AppEndpointDeps {
  /**
   * The tasks that must confirm the freeze. @default none: the freeze is the config write
   * (plus `graceMs`), unconfirmed — said so in the plan
   */
  readonly appTasks?: AppTasks;
}

/** Options of {@link freezeWrites}. */
export interface FreezeOptions<S> {
  /**
   * Without {@link FreezeDeps.appTasks}: how long app tasks get to re-read `global_readonly`
   * after it is written (they re-read every 200 ms). @default 0
   */
  readonly graceMs?: (state: Readonly<S>) => number;
}

/**
 * Freezes writes: sets the app's `global_readonly` flag (every other field kept), records where
 * the app pointed (endpoint only), and completes only when every app task confirmed it
 * ({@link confirmFreeze}: `global_readonly` applied, no write admitted before it still in
 * flight) — a freeze that returns earlier lets writes be acknowledged and lost. Without tasks
 * to ask it waits `graceMs`, and says it is unconfirmed. Safe to run twice: a second run keeps
 * the endpoint the first one recorded.
 */
export function freezeWrites<S extends FreezeState>(
  deps: FreezeDeps,
  opts: FreezeOptions<S> = {},
): Step<S> {
  return {
    id: 'freeze-writes',
    title: 'Freeze writes (global_readonly=true)',
    retry: { attempts: 3, baseDelayMs: 200 },
    plan: (ctx) => {
      const grace = opts.graceMs?.(ctx.state) ?? 0;
      return [
        `secrets(${deps.secrets.kind}) put ${ctx.state.appConfigSecret}: global_readonly=true (other keys unchanged)`,
        deps.appTasks
          ? `wait until every app task (${deps.appTasks.kind}) confirms on /healthz: global_readonly applied, no write in flight (timeout 5 s)`
          : grace
            ? `wait ${grace} ms for app tasks to re-read it (unconfirmed: no app tasks to ask)`
            : 'no app tasks to ask: the freeze is not confirmed by the app',
      ];
    },
    async run(ctx) {
      const cfg = await deps.secrets.get(ctx.state.appConfigSecret);
      const previousConfig = ctx.state.previousConfig ?? {
        endpoint: deps.appSecretFormat.view(cfg).endpoint ?? null,
      };
      await setGlobalReadonly(deps.secrets, ctx.state.appConfigSecret, true);
      if (deps.appTasks) {
        const tasks = deps.appTasks;
        const confirmation = await confirmFreeze({ tasks: () => tasks.list() });
        ctx.progress(
          `freeze confirmed by ${confirmation.tasks.map((t) => t.task).join(', ') || 'no running task'} in ${confirmation.waitedMs} ms`,
        );
        return {
          frozenAt: confirmation.confirmedAt,
          freezeConfirmation: confirmation,
          previousConfig,
        } as Partial<S>;
      }
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
