import type { Endpoint } from './database.js';
import type { Secrets } from './secrets.js';

/** What an app endpoint secret says, whatever its layout. */
export interface AppSecretView {
  /** The cluster it names (`dbClusterId`); undefined when the secret never named one. */
  readonly clusterId: string | undefined;
  /** Where the app connects (no password). */
  readonly endpoint: Endpoint | undefined;
  readonly globalReadonly: boolean;
}

/**
 * The layout of the secret the app reads its database from. Every layout keeps
 * `global_readonly` and `dbClusterId` at the top level; only the endpoint differs.
 *
 * Contract: `view` never returns a credential; `point` changes only the endpoint fields and
 * `dbClusterId`, every other field (credentials included) is kept as it was.
 */
export interface AppSecretFormat {
  readonly name: 'drkit-app' | 'rds';
  view(value: Readonly<Record<string, unknown>>): AppSecretView;
  /** `value` pointing at `clusterId`'s `endpoint`: the database name and every other field kept. */
  point(
    value: Readonly<Record<string, unknown>>,
    clusterId: string,
    endpoint: Endpoint,
  ): Record<string, unknown>;
  /** The fields `point` writes, for plan text (e.g. `host/port`, `db`). */
  readonly endpointFields: string;
  /**
   * The fields `point(…, clusterId, endpoint)` writes with printable values, for a
   * `Secrets.planPut` (no credential: the endpoint carries none). `endpoint` is undefined when
   * it cannot be read before the run.
   */
  planFields(
    clusterId: string,
    endpoint: Endpoint | undefined,
  ): Readonly<Record<string, string | number>>;
}

/**
 * The app endpoint secret port: where the application reads its DB endpoint and the
 * `global_readonly` flag at run time — the store, the layout, and the secret's default name.
 * Every recovery that moves the database ends by writing here.
 */
export interface AppSecret {
  readonly secrets: Secrets;
  readonly format: AppSecretFormat;
  /** The secret's name when a runbook gets none (`appConfigSecret`). */
  readonly defaultName: string;
}
