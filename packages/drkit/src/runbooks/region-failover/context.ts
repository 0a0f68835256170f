import type pg from 'pg';
import type { Compute } from '../../ports/compute.js';
import type { Database, Endpoint } from '../../ports/database.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Router } from '../../ports/router.js';
import type { Secrets } from '../../ports/secrets.js';
import type { AppSecretFormat } from '../../lab/app-config.js';
import type { SmokeResult } from '../../validate/smoke.js';
import type { AppTaskEndpoint, FreezeConfirmation } from '../freeze-confirmation.js';

/** The ports the region runbooks (RB-N-01, switchover, RB-N-08) run against. */
export interface RegionDeps {
  readonly database: Database;
  readonly secrets: Secrets;
  readonly notifier: Notifier;
  readonly router: Router;
  readonly compute: Compute;
  /**
   * The front door's base URL, for post-checks as a user sees them. @default none: the
   * post-checks are journaled as not checked (never as passed)
   */
  readonly frontDoorUrl?: string;
  readonly connect: (endpoint: Endpoint) => Promise<pg.Client>;
  /** Runs the smoke checks against a base URL. */
  readonly smoke: (baseUrl: string) => Promise<SmokeResult[]>;
  /**
   * Whether the source region is healthy, from the provider's own signals (AWS: the Route 53
   * health check of its record and the cluster's status). @default probe the database with
   * `SELECT 1` and the region's tasks' `/healthz` (the lab)
   */
  readonly sourceHealth?: (
    s: RegionState,
  ) => Promise<{ readonly healthy: boolean; readonly detail: string }>;
  /**
   * The layout of the app's DB endpoint secret (AWS: RDS style, `host`/`port` rewritten,
   * every other field kept). @default the lab app's own layout
   */
  readonly appSecretFormat?: AppSecretFormat;
  /**
   * The app tasks that can take writes: a freeze completes only when each confirms it on
   * `/healthz` (see {@link confirmFreeze}). @default none: the freeze waits `freezeGraceMs`,
   * unconfirmed (AWS, where drkit cannot reach the tasks)
   */
  readonly appTasks?: () => Promise<ReadonlyArray<AppTaskEndpoint>>;
  /** Exact provider calls for `--dry-run`, per step, when the provider can tell. @default generic port text */
  readonly plans?: RegionPlans;
}

/** See {@link RegionDeps.plans}: each returns the exact calls a step would make. Read-only. */
export interface RegionPlans {
  readonly health?: (s: RegionState) => Promise<string[]> | string[];
  readonly decide?: (s: RegionState) => Promise<string[]> | string[];
  readonly fence?: (s: RegionState) => Promise<string[]> | string[];
  readonly promote?: (s: RegionState) => Promise<string[]> | string[];
  readonly secret?: (s: RegionState) => Promise<string[]> | string[];
  readonly scale?: (s: RegionState) => Promise<string[]> | string[];
  readonly route?: (s: RegionState) => Promise<string[]> | string[];
  /** `what` names the runbook (`RB-N-01 regional failover`, `planned switchover`…). */
  readonly notify?: (s: RegionState, what: string) => Promise<string[]> | string[];
  readonly checkSwitchover?: (s: RegionState) => Promise<string[]> | string[];
  readonly switchover?: (s: RegionState) => Promise<string[]> | string[];
  /** Rebuilding `standby` under `primary` (switchover's rejoin, RB-N-08's rebuild). */
  readonly rejoin?: (standby: string, primary: string) => Promise<string[]> | string[];
}

/** Parameters shared by the region runbooks. */
export interface RegionParams {
  /** Region traffic and writes move away from. */
  fromRegion: string;
  /** Region they move to. */
  toRegion: string;
  /** Database cluster of each region. */
  fromCluster: string;
  toCluster: string;
  /** App tasks the target region runs once it serves everything. */
  targetTasks: number;
  /** App tasks the source region keeps (cutback: B back to its warm count). */
  sourceTasks?: number;
  /** Secret holding the app's DB endpoint and `global_readonly`. */
  appConfigSecret: string;
  /** Make commits wait for the new standby once there is one again. */
  synchronous: boolean;
  /** Why (for notifications). */
  reason: string;
  /** RB-N-01: who declared (`detector` or `manual`). */
  trigger?: string;
  /** RB-N-01: fail over even though the source region looks healthy. */
  force?: boolean;
  /** RB-N-01's fallback: cluster id of the restore from the latest backup. */
  restoreClusterId?: string;
  /**
   * Switchover without {@link RegionDeps.appTasks}: time for app tasks to see `global_readonly`
   * (they re-read every 200 ms); with them, the freeze waits for each task's confirmation
   * instead. RPO 0 comes from the clean stop and the replay check. @default 300
   */
  freezeGraceMs?: number;
}

/** State of a region runbook: parameters plus what each step recorded. */
export interface RegionState extends RegionParams {
  sourceHealthy?: boolean;
  healthDetail?: string;
  decision?: 'promote' | 'restore';
  decisionReason?: string;
  fencedAt?: string;
  fenceWasRunning?: boolean;
  frozenAt?: string;
  /** Each app task's confirmation of the freeze (absent when the runbook had no tasks to ask). */
  freezeConfirmation?: FreezeConfirmation;
  finalLsn?: string;
  replayedLsn?: string;
  newPrimary?: string;
  newEndpoint?: Endpoint;
  promotedAt?: string;
  promotionMs?: number;
  secretUpdatedAt?: string;
  scaledTasks?: number;
  routedAt?: string;
  unfrozenAt?: string;
  rejoin?: { cluster: string; method: string; durationMs: number };
  /** `skipped` says why nothing was checked (then `ok` is false: not a pass). */
  postChecks?: {
    ok: boolean;
    skipped?: string;
    smoke: SmokeResult[];
    standbys: Array<{ name: string; lagBytes: number; syncState: string }>;
  };
  notifiedAt?: string;
}

/** One lock for all region runbooks: one failover, switchover or cutback at a time. */
export function regionLockKey(p: RegionParams): string {
  return `regions:${[p.fromRegion, p.toRegion].sort().join('-')}`;
}
