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
  /**
   * The secrets a runbook rotates when neither `--param` nor the config names any (the lab's
   * app secret). @default none: they must be given
   */
  readonly defaultSecrets?: readonly string[];
  describeRotation(name: string): Promise<SecretRotationInfo>;
  rotate(name: string, opts: RotateOptions): Promise<{ readonly versionId: string }>;
  /**
   * Completes a rotation an earlier `rotate` started and did not finish (its new version still
   * only AWSPENDING): an adapter that rotates in-process, whose caller was killed midway (the
   * lab). Safe to call twice: what was done (a credential revoked) is not done again. Absent
   * where the store finishes a started rotation on its own (AWS: the rotation Lambda).
   */
  finishRotation?(
    name: string,
    opts?: Pick<RotateOptions, 'onProgress'>,
  ): Promise<{ readonly versionId: string }>;
  /** The exact call `describeRotation(name)` makes, one line each (for `--dry-run`). */
  planDescribeRotation(name: string): string[];
  /**
   * The exact calls `rotate(name, opts)` would make, one line each (for `--dry-run`). Changes
   * nothing.
   */
  planRotate(name: string, opts: RotateOptions): string[];
}

/** Options of {@link SecretRotation.rotate}. */
export interface RotateOptions {
  /** `RotateImmediately` (AWS); the lab always rotates at once. @default true */
  readonly rotateImmediately?: boolean;
  readonly lambdaArn?: string;
  /** Phases of an in-process rotation as they complete (journaled by the step). @default none */
  readonly onProgress?: (message: string) => void;
}

/** Read-only look-up of user pools (the `Identity` port only signs out; on AWS, `CognitoIdentity`). Unknown pool: `NotFoundError`. */
export interface UserPools {
  /** Adapter name, e.g. `aws-cognito`. */
  readonly kind: string;
  /** The pools a runbook signs out when none is given (the lab's session store). @default none */
  readonly defaultPools?: readonly string[];
  describePool(poolId: string): Promise<{
    readonly poolId: string;
    readonly name: string | undefined;
    readonly estimatedUsers: number | undefined;
  }>;
  /** The exact call `describePool(poolId)` makes, one line each (for `--dry-run`). */
  planDescribePool(poolId: string): string[];
}
