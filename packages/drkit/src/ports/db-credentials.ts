import type { Endpoint } from './database.js';

/**
 * The app's database credentials as the database itself holds them (login roles), beside the
 * secret that names the current one. A point-in-time restore brings back the roles as they
 * were at the target: a credential revoked after it can log in again, one created after it
 * does not exist. RB-N-02 makes a restored cluster match the secret before the app is swapped
 * to it.
 *
 * Contract: `enforce` is idempotent; it never touches a role outside the app's own login
 * roles, never reads or returns a password into a log or the state (role names only).
 */
export interface DbCredentials {
  readonly kind: string;
  /**
   * Makes `endpoint`'s cluster accept the app's current credential (the one its secret names:
   * created or given that password when missing) and no other login role of the app (revoked:
   * NOLOGIN, their sessions ended). Nothing to do when the app uses no login role of its own.
   */
  enforce(endpoint: Endpoint): Promise<CredentialsEnforced>;
  /** What `enforce(endpoint)` would do, one line each (for `--dry-run`). Changes nothing. */
  planEnforce(endpoint: Endpoint): string[];
}

/** What {@link DbCredentials.enforce} did (role names only). */
export interface CredentialsEnforced {
  /** The role the app's secret names (kept or created). Undefined: the app has none of its own. */
  readonly current: string | undefined;
  /** True when the cluster lacked it (a restore to before its rotation). */
  readonly created: boolean;
  /** Other login roles of the app the cluster still let in, now revoked. */
  readonly revoked: readonly string[];
}
