/**
 * The API gateway port: the public API's stages, throttled to zero to cut access during a
 * security breach and restored afterwards.
 *
 * Contract: `setThrottle` and `restoreThrottle` are idempotent and return the previous limits
 * so they can be put back; an unknown API or stage is a `NotFoundError`.
 */
export interface ApiGateway {
  /** Adapter name, e.g. `aws-apigateway`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<'stage-throttling'>;
  /**
   * The stages (`apiId/stage`) a runbook acts on when neither `--param` nor the config names
   * any: a world with one API (the lab's front door). @default none: they must be given
   */
  readonly defaultStages?: readonly string[];
  getThrottle(apiId: string, stage: string): Promise<StageThrottle>;
  /** Sets the stage-wide limits (all methods); an `undefined` limit is left as it is. Returns what they were. */
  setThrottle(apiId: string, stage: string, limits: StageThrottle): Promise<StageThrottle>;
  /**
   * Puts the stage-wide limits back to exactly `limits`: a number is set, an `undefined` limit
   * drops the stage's own limit so the account default applies again (afterwards
   * `getThrottle` reads it as `undefined`). Returns what they were.
   */
  restoreThrottle(apiId: string, stage: string, limits: StageThrottle): Promise<StageThrottle>;
  /** The exact call `getThrottle(apiId, stage)` makes, one line each (for `--dry-run`). */
  planGetThrottle(apiId: string, stage: string): string[];
  /**
   * The exact calls `setThrottle(apiId, stage, limits)` would make, one line each (for
   * `--dry-run`); none when both limits are `undefined`. Changes nothing.
   */
  planSetThrottle(apiId: string, stage: string, limits: StageThrottle): string[];
  /**
   * The exact calls `restoreThrottle(apiId, stage, limits)` would make, one line each (for
   * `--dry-run`), with what the adapter decides only at run time said in a comment. Changes
   * nothing.
   */
  planRestoreThrottle(apiId: string, stage: string, limits: StageThrottle): string[];
}

/** Requests per second and burst; `undefined` means the account default. */
export interface StageThrottle {
  readonly rateLimit: number | undefined;
  readonly burstLimit: number | undefined;
}
