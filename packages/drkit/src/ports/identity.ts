/**
 * The identity port: the user directory of the application (Cognito user pools). The
 * security-breach runbook signs every user out (their refresh tokens are revoked).
 *
 * Contract: `signOutAll` signs out every user, page by page, and returns how many; it is safe
 * to run twice; an unknown pool is a `NotFoundError`.
 */
export interface Identity {
  /** Adapter name, e.g. `aws-cognito`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<'global-sign-out'>;
  signOutAll(
    poolId: string,
    opts?: { readonly concurrency?: number; readonly onProgress?: (done: number) => void },
  ): Promise<{ readonly signedOut: number }>;
  /**
   * The exact calls `signOutAll(poolId, opts)` would make, one line each (for `--dry-run`):
   * the listing and the per-user sign-out, with the users written `<…>` (known only at run
   * time). Changes nothing.
   */
  planSignOutAll(poolId: string, opts?: { readonly concurrency?: number }): string[];
}
