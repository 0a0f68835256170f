/**
 * Secret rotation and user-pool look-ups: what the security-breach runbook needs of the secret
 * store and the user directory beyond the `Secrets` and `Identity` ports.
 */

/** A secret's rotation set-up and version stages (ids only: never a value). */
export interface SecretRotationInfo {
  readonly name: string;
  /** The rotation Lambda configured on the secret; undefined when none. */
  readonly lambdaArn: string | undefined;
  /** A service (e.g. `rds`) rotates it without a Lambda of ours. */
  readonly owningService: string | undefined;
  /** Version ids by staging label (`AWSCURRENT`, `AWSPENDING`, `AWSPREVIOUS`). */
  readonly stages: Readonly<Record<string, readonly string[]>>;
  readonly lastRotatedAt: string | undefined;
}

/**
 * What the runbook needs of the secret store beyond the `Secrets` port: rotation (on AWS,
 * `SecretsManagerSecrets`). Contract: an unknown secret is a `NotFoundError`; `rotate` starts
 * a rotation (RotateSecret) and returns the new version id; nothing here reads or returns a
 * secret value.
 */
export interface SecretRotation {
  readonly kind: string;
  describeRotation(name: string): Promise<SecretRotationInfo>;
  rotate(
    name: string,
    opts: { readonly rotateImmediately?: boolean; readonly lambdaArn?: string },
  ): Promise<{ readonly versionId: string }>;
  /** The exact call `describeRotation(name)` makes, one line each (for `--dry-run`). */
  planDescribeRotation(name: string): string[];
  /**
   * The exact calls `rotate(name, opts)` would make, one line each (for `--dry-run`). Changes
   * nothing.
   */
  planRotate(
    name: string,
    opts: { readonly rotateImmediately?: boolean; readonly lambdaArn?: string },
  ): string[];
}

/** Read-only look-up of user pools (the `Identity` port only signs out; on AWS, `CognitoIdentity`). Unknown pool: `NotFoundError`. */
export interface UserPools {
  /** Adapter name, e.g. `aws-cognito`. */
  readonly kind: string;
  describePool(poolId: string): Promise<{
    readonly poolId: string;
    readonly name: string | undefined;
    readonly estimatedUsers: number | undefined;
  }>;
  /** The exact call `describePool(poolId)` makes, one line each (for `--dry-run`). */
  planDescribePool(poolId: string): string[];
}
