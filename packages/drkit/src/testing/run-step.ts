import type { Step, StepContext } from '../engine/step.js';

/**
 * Runs one step of a prepared runbook outside the executor (no journal, no lock): `run`, then
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
  const out = (await step.run(ctx)) ?? {};
  const next = { ...state, ...out };
  await step.verify?.({ ...ctx, state: next });
  return next;
}
