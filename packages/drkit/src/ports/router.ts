/**
 * The router port: the front door's failover record (Route 53 failover routing with health
 * checks; HAProxy in the lab). Targets belong to a region; the primary region's targets take
 * traffic while any of them is healthy, the other region's targets are the backup.
 *
 * Contract for every implementation:
 * - `status` reads the router's live state, never a cached copy; a router that cannot be
 *   reached is a `PreconditionError` whose hint says how to start it.
 * - `routeTo` is idempotent: routing to the region already active changes nothing.
 * - After `routeTo(r)` with `r` not the primary region, no new request reaches a target
 *   outside `r` (taken out of service, not merely failing health checks) until `routeTo`
 *   names its region again.
 */
export interface Router {
  /** Adapter name, e.g. `haproxy` or `aws-route53`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<RouterCapability>;

  /** Every target with its region, role, administrative state and health. */
  status(): Promise<RouterStatus>;

  /**
   * Sends all traffic to `region`: the other regions' targets are taken out of service and
   * `region`'s are put in service. Routing to the primary region restores the normal failover
   * record (primary targets first, the others as healthy-checked backup). With `assumeHealthy`, targets named there are marked up at
   * once instead of waiting for `rise` passing checks (the caller has just checked them).
   */
  routeTo(region: string, opts?: { readonly assumeHealthy?: readonly string[] }): Promise<void>;

  /**
   * The exact calls or commands `routeTo(region)` would make, one line each (for `--dry-run`).
   * Reads only.
   */
  planRouteTo(region: string): Promise<string[]>;
}

/** `health-checks`: the router probes targets itself; `runtime`: changes apply without a reload. */
export type RouterCapability = 'health-checks' | 'runtime' | 'backup-targets';

/** One target of the front door. */
export interface RouteTarget {
  readonly name: string;
  readonly region: string;
  readonly address: string;
  /** A backup target takes traffic only when no primary target is up. */
  readonly backup: boolean;
  /** `ready` takes traffic when healthy; `maint` never does; `drain` finishes what it has. */
  readonly admin: 'ready' | 'maint' | 'drain';
  /** From the router's own health checks. */
  readonly health: 'up' | 'down' | 'unchecked';
}

export interface RouterStatus {
  /** The region whose targets are in service and not all down, if any. */
  readonly activeRegion: string | undefined;
  readonly targets: ReadonlyArray<RouteTarget>;
}
