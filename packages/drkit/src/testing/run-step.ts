import type { Step, StepContext } from '../engine/step.js';

/**
 * Runs one step of a prepared runbook outside the executor (no journal, no lock): `when` (a
 * step that does not apply is skipped), `run`, then
 * `verify` on the merged state, as the executor does; returns the merged state. For tests that
 * drive a runbook step by step where the world cannot serve every step (moto: no SQL).
 */
export async function runStep<S extends object>(
  step: Step<S>,
  state: S,
  executionId = 'it-step',
): Promise<S> {
  const ctx: StepContext<S> = {
    state,
    executionId,
    dryRun: false,
    signal: new AbortController().signal,
    progress: () => undefined,
  };
  // as the executor does: a step whose `when` says no is skipped, the state unchanged
  if (step.when && !step.when(ctx)) return state;
  const out = (await step.run(ctx)) ?? {};
  const next = { ...state, ...out };
  await step.verify?.({ ...ctx, state: next });
  return next;
}
