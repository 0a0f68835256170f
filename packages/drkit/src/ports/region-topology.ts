import type { SearchIndex } from './search-index.js';

/**
 * A move of writes and traffic from one region to the other, as the two-region world
 * describes it: which region and database cluster serve now and which take over.
 */
export interface RegionMove {
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly fromCluster: string;
  readonly toCluster: string;
  /** App tasks the target region runs once it serves everything. */
  readonly targetTasks: number;
  /** App tasks the source region keeps (a cutback: B back to its warm count). */
  readonly sourceTasks?: number;
  /** Secret holding the app's DB endpoint and `global_readonly`. */
  readonly appConfigSecret: string;
  /** Make commits wait for the new standby once there is one again. */
  readonly synchronous: boolean;
  /** RB-N-01's fallback: cluster id of a restore from the latest backup. */
  readonly restoreClusterId?: string;
}

/**
 * A region's search cluster, in a world whose platform searches (RB-N-01 reindexes the target
 * region's cluster from its new primary: the seeds' "Typesense in B (fresh cluster): run
 * reindex").
 */
export interface RegionSearch {
  readonly index: SearchIndex;
  /** The collections file RB-N-04 applies (schemas, row sources, hot slices). */
  readonly schemas: string;
  /** Where RB-N-04 keeps dead letters and checkpoints. */
  readonly workDir: string;
  /** Where RB-N-04's own journal goes (a run of its own, beside RB-N-01's). */
  readonly journalDir: string;
  /** The app config's `search` section once this cluster serves the app (url, key, alias). */
  readonly appSearch: Readonly<Record<string, unknown>>;
}

/**
 * The two-region topology port: the world the region runbooks (RB-N-01, the switchover, RB-N-08)
 * move between. Contract: `move` reads only (the direction is away from the region whose
 * cluster the app writes to now); `sourceHealth` reads only.
 */
export interface RegionTopology {
  readonly kind: string;
  /** The move away from the region that writes now, from the world's own state and config. */
  move(): Promise<RegionMove>;
  /**
   * The front door's base URL, for post-checks as a user sees them. @default none: the
   * post-checks are journaled as not checked (never as passed)
   */
  readonly frontDoorUrl?: string;
  /**
   * Whether the source region is healthy, from the provider's own signals (AWS: the Route 53
   * health check of its record and the cluster's status). @default probe the database with
   * `SELECT 1` and the region's tasks' `/healthz` (the lab)
   */
  readonly sourceHealth?: (
    s: RegionMove,
  ) => Promise<{ readonly healthy: boolean; readonly detail: string }>;
  /**
   * The exact calls {@link sourceHealth} makes, one line each (for `--dry-run`); given with it.
   * @default none (with no `sourceHealth` the runbook probes by itself and says so)
   */
  readonly planSourceHealth?: (s: RegionMove) => Promise<string[]>;
  /**
   * The search cluster of a region (reads only). @default none: the world has no search, RB-N-01
   * journals its search step as skipped
   */
  readonly searchOf?: (region: string) => Promise<RegionSearch | undefined>;
}
