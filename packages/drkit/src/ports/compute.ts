/**
 * The compute port: the application's tasks per region (ECS services in AWS, processes in the
 * lab). Runbooks scale the standby region up during a failover and back down after a cutback.
 *
 * Contract: `scale` is idempotent and resolves only when `count` tasks pass their health check
 * (or throws a retryable `StepTimeoutError`); scaling to 0 stops every task of the region.
 */
export interface Compute {
  readonly kind: string;
  /** The region's tasks, running or not, with their health. */
  tasks(region: string): Promise<TaskInfo[]>;
  /** Sets the number of running tasks of `region`; resolves when they are healthy. */
  scale(region: string, count: number, opts?: { readonly timeoutMs?: number }): Promise<TaskInfo[]>;
  /**
   * The exact calls or commands `scale(region, count)` would make, one line each (for
   * `--dry-run`). Reads only.
   */
  planScale(region: string, count: number): Promise<string[]>;
}

export interface TaskInfo {
  readonly id: string;
  readonly region: string;
  /** `host:port` the front door sends requests to. */
  readonly address: string;
  readonly running: boolean;
  /** `/healthz` answered 200 (process up and DB reachable). */
  readonly healthy: boolean;
}
