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

  /**
   * Published versions (never `$LATEST`), oldest first, each with the hash of its code
   * (capability `versions`). @throws NotFoundError for an unknown function
   */
  listVersions?(name: string): Promise<FunctionVersion[]>;
  /** The version an alias routes to (capability `versions`). @throws NotFoundError */
  getAlias?(name: string, alias: string): Promise<FunctionAlias>;
  /**
   * Points `alias` at `version` alone (any weighted routing to a second version removed);
   * idempotent (capability `versions`). @throws NotFoundError
   */
  pointAlias?(name: string, alias: string, version: string): Promise<void>;
  /** The exact calls {@link pointAlias} makes (for `--dry-run`). */
  planPointAlias?(name: string, alias: string, version: string): string[];
}

/** A published version of a function. */
export interface FunctionVersion {
  readonly version: string;
  /** Base64 SHA-256 of the deployment package. */
  readonly codeSha256: string;
  readonly description?: string;
  readonly lastModified?: string;
}

/** Where an alias routes. */
export interface FunctionAlias {
  readonly alias: string;
  readonly version: string;
  /** A second version taking part of the traffic (weighted routing), when set. */
  readonly additionalVersionWeights?: Readonly<Record<string, number>>;
}

/** `versions`: {@link Functions.listVersions}, `getAlias`, `pointAlias` (rollback). */
export type FunctionsCapability = 'environment' | 'wait-updated' | 'versions';
