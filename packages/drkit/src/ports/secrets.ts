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
  /** Names of every stored secret. */
  list(): Promise<string[]>;
}
