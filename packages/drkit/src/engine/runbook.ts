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
  /**
   * Whether the runbook's goal already holds (a failover that already happened…). Read-only;
   * asked before a fresh run and before a dry run. A reason means nothing runs: the execution
   * ends `succeeded` with a `goal-already-holds` event, and the dry run plans nothing. A check
   * that fails counts as "does not hold" (the steps then check the world themselves).
   * @default never asked
   */
  goalHolds?(params: S): Promise<string | undefined>;
  /**
   * The identity of what the run acts on (a cluster's creation stamp, system identifier,
   * stanza…), recorded when it starts. `resume` refuses when it no longer matches: a journal
   * must not act on a world rebuilt since (a lab destroyed and made again under the same names).
   * @default not recorded, not checked
   */
  identity?(params: S): Promise<Record<string, unknown>>;
}

/** Throws when two steps share an id (ids are journal keys). */
export function assertUniqueStepIds(rb: Runbook<object>): void {
  const seen = new Set<string>();
  for (const s of rb.steps) {
    if (seen.has(s.id)) throw new Error(`runbook ${rb.id}: duplicate step id ${s.id}`);
    seen.add(s.id);
  }
}
