import type { Step } from './step.js';

/** An ordered list of steps bound to its dependencies (ports), ready to execute. */
export interface Runbook<S extends object = Record<string, unknown>> {
  /** Stable id, e.g. `rb-n-02-pitr`; journal records name it. */
  readonly id: string;
  readonly title: string;
  readonly steps: ReadonlyArray<Step<S>>;
  /**
   * The thing this run recovers (e.g. `postgres:lab-a`). Only one execution per lock key runs
   * at a time.
   */
  lockKey(params: S): string;
}

/** Throws when two steps share an id (ids are journal keys). */
export function assertUniqueStepIds(rb: Runbook<object>): void {
  const seen = new Set<string>();
  for (const s of rb.steps) {
    if (seen.has(s.id)) throw new Error(`runbook ${rb.id}: duplicate step id ${s.id}`);
    seen.add(s.id);
  }
}
