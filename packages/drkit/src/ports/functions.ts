/**
 * The functions port: serverless functions whose configuration points at the recovered
 * systems (seed 003's full recovery: every Lambda's `DB_CLUSTER_ARN` after a restore).
 *
 * Contract: `updateEnvironment` merges the given variables into each function's environment
 * (never drops the others), resolves when every function runs with the new configuration,
 * and is idempotent; an unknown function is a `NotFoundError`, reported before any function
 * is changed.
 */
export interface Functions {
  /** Adapter name, e.g. `aws-lambda`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<FunctionsCapability>;
  /** The function's environment variables. @throws NotFoundError */
  getEnvironment(name: string): Promise<Record<string, string>>;
  /** Sets `vars` on each function; returns the names actually changed. */
  updateEnvironment(
    names: readonly string[],
    vars: Readonly<Record<string, string>>,
  ): Promise<{ readonly changed: readonly string[] }>;
  /** The exact call `getEnvironment(name)` makes (for `--dry-run`). */
  planGetEnvironment(name: string): string[];
  /**
   * The exact calls `updateEnvironment(names, vars)` would make, one line per function (for
   * `--dry-run`). A value written `<…>` is known only at run time (the ARN of a cluster not
   * restored yet).
   */
  planUpdateEnvironment(names: readonly string[], vars: Readonly<Record<string, string>>): string[];
}

export type FunctionsCapability = 'environment' | 'wait-updated';
