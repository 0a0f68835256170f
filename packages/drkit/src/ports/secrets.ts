/**
 * The secrets port: where the application reads its runtime configuration (the DB endpoint,
 * feature flags such as `global_readonly`). Runbooks swap connections by writing here; the
 * application re-reads and reconnects without a restart.
 *
 * Contract: `get` of a missing name is a `NotFoundError`; `put` creates or replaces and is
 * idempotent; values are JSON objects; implementations never log values.
 */
export interface Secrets {
  readonly kind: string;
  get(name: string): Promise<Record<string, unknown>>;
  put(name: string, value: Record<string, unknown>): Promise<void>;
  /** The exact call or read `get(name)` makes, one line each (for `--dry-run`). */
  planGet(name: string): string[];
  /**
   * The exact calls `put(name, { ...current, ...set })` would make, one line each (for
   * `--dry-run`). The values in `set` are printed, so pass endpoints, ids and flags there,
   * never a credential; the fields kept from the current value are named at most, never their
   * values (an adapter may read the secret to name them). Changes nothing.
   */
  planPut(
    name: string,
    set: Readonly<Record<string, string | number | boolean>>,
  ): Promise<string[]>;
  /** Names of every stored secret. */
  list(): Promise<string[]>;
}
