import type pg from 'pg';
import type { Compute } from '../../ports/compute.js';
import type { Database, Endpoint } from '../../ports/database.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Router } from '../../ports/router.js';
import type { Secrets } from '../../ports/secrets.js';
import type { AppSecretFormat } from '../../ports/app-secret.js';
import type { RegionMove, RegionSearch } from '../../ports/region-topology.js';
import { runSmokeChecks } from '../../validate/smoke.js';
import { parseParams, type RunbookPorts } from '../entry.js';
import { RegionFailoverParamsSchema } from './params.js';
import type { SmokeResult } from '../../validate/smoke.js';
import type { AppTasks } from '../../ports/app-tasks.js';
import type { FreezeConfirmation } from '../shared/freeze-confirmation.js';

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
   * The layout of the app's DB endpoint secret (the lab app's own; AWS: RDS style, `host`/`port`
   * rewritten, every other field kept).
   */
  readonly appSecretFormat: AppSecretFormat;
  /** The exact calls {@link sourceHealth} makes (for `--dry-run`); given with it. */
  readonly planSourceHealth?: (s: RegionMove) => Promise<string[]>;
  /**
   * The app tasks that can take writes: a freeze completes only when each confirms it on
   * `/healthz` (see `confirmFreeze`). @default none: the freeze waits `freezeGraceMs`,
   * unconfirmed (AWS, where drkit cannot reach the tasks)
   */
  readonly appTasks?: AppTasks;
  /**
   * A region's search cluster (see `RegionTopology.searchOf`). @default none: RB-N-01's search
   * step is skipped
   */
  readonly searchOf?: (region: string) => Promise<RegionSearch | undefined>;
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
  /** Where the app pointed when writes were frozen (endpoint only). */
  previousConfig?: Record<string, unknown>;
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
  /** RB-N-01's search step: RB-N-04's run against the target region's search cluster. */
  searchReindex?: {
    executionId?: string;
    endpoint?: string;
    outcome: string;
    hotReadyAt?: string;
    fullReadyAt?: string;
    deadLetters?: number;
    /** Why nothing ran. */
    skipped?: string;
  };
}

/** One lock for all region runbooks: one failover, switchover or cutback at a time. */
export function regionLockKey(p: RegionParams): string {
  return `regions:${[p.fromRegion, p.toRegion].sort().join('-')}`;
}

/** The ports every region runbook (RB-N-01, the switchover, RB-N-08) needs. */
export const REGION_PORTS = [
  'regionDatabase',
  'regionAppSecret',
  'notifier',
  'router',
  'compute',
  'regionTopology',
  'sql',
] as const;

/** The region runbooks' ports by name (the app tasks when the provider can reach them). */
export type RegionPorts = RunbookPorts<(typeof REGION_PORTS)[number], 'appTasks'>;

/** The region runbooks' deps from a provider's ports. */
export function regionDepsOf(p: RegionPorts): RegionDeps {
  const t = p.regionTopology;
  return {
    database: p.regionDatabase,
    secrets: p.regionAppSecret.secrets,
    appSecretFormat: p.regionAppSecret.format,
    notifier: p.notifier,
    router: p.router,
    compute: p.compute,
    connect: p.sql,
    smoke: runSmokeChecks,
    ...(t.frontDoorUrl ? { frontDoorUrl: t.frontDoorUrl } : {}),
    ...(t.sourceHealth ? { sourceHealth: t.sourceHealth } : {}),
    ...(t.planSourceHealth ? { planSourceHealth: t.planSourceHealth } : {}),
    ...(p.appTasks ? { appTasks: p.appTasks } : {}),
    ...(t.searchOf ? { searchOf: t.searchOf } : {}),
  };
}

/**
 * A region runbook's parameters: the provider's topology (the direction: away from the region
 * that writes now), then `reason` when given, then `--param` values.
 */
export async function regionMoveParams(
  raw: Record<string, unknown>,
  ports: Pick<RegionPorts, 'regionTopology'>,
  hint: string,
  reason?: string,
): Promise<RegionState> {
  return parseParams(
    RegionFailoverParamsSchema,
    { ...(await ports.regionTopology.move()), ...(reason ? { reason } : {}), ...raw },
    hint,
  );
}
