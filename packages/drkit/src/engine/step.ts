/**
 * A runbook step. Steps are the unit of journaling: a step that completed is never run again
 * on resume, and a step that was interrupted is run again from its start, so `run` must be
 * safe to run twice (check before acting, create-if-absent, compare-and-set).
 */
export interface Step<S extends object = Record<string, unknown>> {
  /** Stable kebab-case id; it is the journal key and must never change once released. */
  readonly id: string;
  /** One-line human description. */
  readonly title: string;
  /** Destructive steps need `--yes` or an interactive confirmation. @default false */
  readonly destructive?: boolean;
  /** Retry policy for retryable errors. @default no retry */
  readonly retry?: RetryPolicy;
  /** Abort the step after this long. @default 10 minutes */
  readonly timeoutMs?: number;
  /**
   * Decides whether the step applies (the seeds' branches: promote the replica OR restore
   * from backup). Skipped steps are journaled as `skipped`. @default always
   */
  when?(ctx: StepContext<S>): boolean;
  /** What the step would do: exact commands or API calls, for `--dry-run`. Must not mutate. */
  plan(ctx: StepContext<S>): Promise<string[]> | string[];
  /** Does the work. The returned object is merged into the execution state and journaled. */
  run(ctx: StepContext<S>): Promise<Partial<S> | void>;
  /** Checks the work took effect; a throw fails the step (and may be retried). */
  verify?(ctx: StepContext<S>): Promise<void>;
}

/** Exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  readonly attempts: number;
  /** @default 500 */
  readonly baseDelayMs?: number;
  /** @default 10_000 */
  readonly maxDelayMs?: number;
  /** Retry errors that are not marked retryable too. @default false */
  readonly retryAll?: boolean;
}

/** What a step sees while planning or running. */
export interface StepContext<S extends object> {
  /** Parameters plus the outputs of every completed step so far. */
  readonly state: Readonly<S>;
  readonly executionId: string;
  readonly dryRun: boolean;
  /** Aborted when the step times out or the run is interrupted. */
  readonly signal: AbortSignal;
  /** Progress text for long work; shown to the user and journaled (sparingly). */
  progress(message: string): void;
}
