/**
 * The database port: a PostgreSQL service that can be backed up, restored to a point in time,
 * replicated and promoted. Implemented by the self-managed adapter (initdb/pg_ctl/pgBackRest)
 * and by RDS/Aurora.
 *
 * Contract for every implementation:
 * - `restoreToTime` always creates a NEW cluster and never writes to the source (its data
 *   directory, its backups, its WAL archive); calling it with an id that already exists is a
 *   `PreconditionError`.
 * - A target outside {@link Database.recoverableWindow} is refused with an `OutOfWindowError`
 *   whose message prints the window, before anything is created.
 * - A cluster id that does not exist is a `NotFoundError`.
 * - An optional method exists exactly when its capability is declared (`promote` with
 *   `promote`, `fence` with `fence`, …), and so does its `plan*` method: runbooks read
 *   {@link Database.capabilities}, never the presence of a method.
 * - `plan*` methods read only; they return the exact commands or API calls the method runs,
 *   one line each, for `--dry-run`.
 */
export interface Database {
  /** Adapter name, e.g. `pgbackrest` or `aws-rds`. */
  readonly kind: string;
  /** What this backend can do; runbooks check before calling. */
  readonly capabilities: ReadonlySet<DatabaseCapability>;

  /** Describes one cluster. @throws NotFoundError */
  describe(clusterId: string): Promise<ClusterInfo>;

  /** The earliest and latest instants a point-in-time restore of `clusterId` can reach. */
  recoverableWindow(clusterId: string): Promise<RecoverableWindow>;

  /**
   * Restores `source` as it was at `target` into a new cluster `newClusterId`, writable when
   * the promise resolves. Reports progress through `onProgress`.
   */
  restoreToTime(req: RestoreRequest): Promise<RestoreResult>;

  /**
   * The exact commands or API calls {@link restoreToTime} would run, one line each (for
   * `--dry-run`). Reads only; refuses what `restoreToTime` would refuse before it creates
   * anything, so a dry run refuses what the real run would.
   * @throws OutOfWindowError for a target outside the recoverable window; NotFoundError
   */
  planRestoreToTime(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'>,
  ): Promise<string[]>;

  /**
   * The reads that tell whether `clusterId` is a usable standby (running or available, in
   * recovery or a replica), for `--dry-run`.
   */
  planCheckStandby(clusterId: string): Promise<string[]>;

  /** The calls {@link stop} makes, for `--dry-run`. */
  planStop(clusterId: string): Promise<string[]>;

  /**
   * Re-establishes every postcondition {@link Database.restoreToTime} promises for a cluster
   * it created — promoted and writable, archiving into its OWN stanza — for a run that died
   * mid-restore while the cluster went on (it promotes itself). Idempotent; changes nothing on
   * a finished restore. Optional: a backend whose restore is one atomic call does not need it.
   * @throws NotFoundError for an unknown cluster
   */
  completeRestore?(clusterId: string): Promise<void>;

  /** Takes a backup (full/diff/incr for pgBackRest; a manual snapshot for RDS). */
  backup(clusterId: string, opts?: { type?: BackupType; label?: string }): Promise<BackupInfo>;

  /** Backups of a cluster, oldest first. */
  listBackups(clusterId: string): Promise<BackupInfo[]>;

  /**
   * Creates a new cluster streaming from `sourceId` (capability `replicas`); resolves once it
   * streams. Never writes to the source. An existing `newClusterId` is a `PreconditionError`.
   */
  createStandby?(
    sourceId: string,
    newClusterId: string,
    opts?: {
      readonly port?: number;
      /** A delayed standby: commits replayed this long after they happened. @default 0 */
      readonly applyDelaySeconds?: number;
    },
  ): Promise<ClusterInfo>;

  /**
   * The delayed standbys of `primaryId` (capability `delayed-standby`): their apply delay,
   * health and the window of targets they can still reach (their last replayed commit … now).
   * Reads only; a standby that cannot be read is reported unhealthy with the reason.
   */
  delayedStandbys?(primaryId: string): Promise<DelayedStandbyStatus[]>;

  /**
   * RB-N-02's fast path (capability `delayed-standby`): turns the delayed standby
   * `req.standbyId` of `req.source` into the NEW cluster `req.newClusterId`, replayed to
   * `req.target` and promoted, writable when the promise resolves; the source is not written
   * (its archive gets one marker commit after the target, as a classic restore's seal does).
   * Idempotent for the same request: a run that died midway is completed, never promoted twice.
   * @throws PreconditionError with `details.fallback = true` when the standby cannot serve
   *   the target (down, replayed past it, source stopped) — nothing was changed then, and the
   *   classic {@link restoreToTime} is the way
   */
  restoreFromDelayedStandby?(
    req: RestoreRequest & { readonly standbyId: string },
  ): Promise<RestoreResult>;

  /** The commands {@link restoreFromDelayedStandby} runs (capability `delayed-standby`). */
  planRestoreFromDelayedStandby?(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'> & {
      readonly standbyId: string;
    },
  ): Promise<string[]>;

  /**
   * Makes `standbyId` a delayed standby of `primaryId` again (capability `delayed-standby`):
   * a full backup of `primaryId` when its stanza has none, then a standby restored from it with
   * the apply delay. Idempotent: a healthy one of that primary is kept.
   */
  rebuildDelayedStandby?(
    primaryId: string,
    standbyId: string,
    opts: { readonly applyDelaySeconds: number; readonly progress?: (m: string) => void },
  ): Promise<{ readonly cluster: ClusterInfo; readonly backupLabel?: string }>;

  /**
   * Promotes a standby to a writable primary (capability `promote`); resolves when it accepts
   * writes. Promoting a primary is a no-op.
   */
  promote?(clusterId: string): Promise<{ readonly durationMs: number }>;

  /** The calls {@link promote} makes (capability `promote`). */
  planPromote?(clusterId: string): Promise<string[]>;

  /**
   * Standbys streaming from a primary and their lag in bytes and seconds (capability
   * `replication-status`).
   */
  replication?(primaryId: string): Promise<ReplicationStatus>;

  /**
   * Makes commits on `primaryId` wait until one of `standbyIds` has them (RPO 0), or turns that
   * off with an empty list (capability `synchronous`). Idempotent. Never carried to a standby
   * or a restored copy.
   */
  setSynchronous?(primaryId: string, standbyIds: readonly string[]): Promise<void>;

  /**
   * Fences an old primary after a failover so it never takes writes again, reachable or not:
   * stops it when it runs, and marks it so any restart comes up read-only and drkit refuses to
   * start it (capability `fence`). Idempotent. Only {@link rejoinAsStandby} lifts the fence.
   */
  fence?(clusterId: string, reason: string): Promise<{ readonly wasRunning: boolean }>;

  /** The commands {@link fence} runs (capability `fence`). */
  planFence?(clusterId: string): Promise<string[]>;

  /** True when {@link fence} marked the cluster. */
  isFenced?(clusterId: string): boolean;

  /**
   * Planned switchover, first half: stops the primary cleanly so every standby receives its
   * last WAL, and returns the final LSN a standby must replay before promotion (capability
   * `switchover`, with {@link waitForReplay} and {@link replication}).
   * @throws PreconditionError when the shutdown was not clean
   */
  stopForSwitchover?(clusterId: string): Promise<{ readonly finalLsn: string }>;

  /** The commands {@link stopForSwitchover} runs (capability `switchover`). */
  planStopForSwitchover?(clusterId: string): Promise<string[]>;

  /** Resolves once `standbyId` replayed up to `lsn` (capability `switchover`). @throws StepTimeoutError */
  waitForReplay?(standbyId: string, lsn: string, timeoutMs?: number): Promise<string>;

  /** The reads {@link waitForReplay} repeats (capability `switchover`); `lsn` may be a placeholder. */
  planWaitForReplay?(standbyId: string, lsn: string): Promise<string[]>;

  /**
   * A planned switchover the backend performs itself with no data loss (capability
   * `managed-switchover`:
   * Aurora Global Database's SwitchoverGlobalCluster, where AWS waits for the secondary to catch
   * up): replaces {@link stopForSwitchover} + {@link waitForReplay} + {@link promote}. Resolves
   * once `toId` is the writer and `fromId` a secondary. Idempotent: when `toId` already writes,
   * nothing is called and `alreadyDone` is true.
   */
  switchover?(
    fromId: string,
    toId: string,
    opts?: { readonly progress?: (m: string) => void },
  ): Promise<{ readonly durationMs: number; readonly alreadyDone: boolean }>;

  /** The calls {@link switchover} makes (capability `managed-switchover`). */
  planSwitchover?(fromId: string, toId: string): Promise<string[]>;

  /**
   * Checks a {@link switchover} can start: `fromId` writes, `toId` is an available secondary of
   * the same topology (capability `managed-switchover`). Returns what was seen.
   * @throws PreconditionError saying what is wrong
   */
  checkSwitchover?(fromId: string, toId: string): Promise<string>;

  /** The reads {@link checkSwitchover} makes (capability `managed-switchover`). */
  planCheckSwitchover?(fromId: string, toId: string): Promise<string[]>;

  /**
   * Makes a former primary a streaming standby of `primaryId` (rewind, or a fresh restore when
   * rewinding is impossible), lifting its fence (capability `rejoin`). Resolves once it streams.
   */
  rejoinAsStandby?(
    clusterId: string,
    primaryId: string,
    opts?: { readonly forceRestore?: boolean; readonly progress?: (m: string) => void },
  ): Promise<{
    readonly method: 'rewind' | 'restore' | 'managed';
    readonly durationMs: number;
    readonly rewindError?: string;
  }>;

  /** The commands or calls {@link rejoinAsStandby} makes (capability `rejoin`). */
  planRejoinAsStandby?(clusterId: string, primaryId: string): Promise<string[]>;

  /**
   * Stops serving a cluster and keeps its data (self-managed: `pg_ctl stop`; RDS:
   * StopDBCluster). Idempotent: stopping a stopped cluster succeeds.
   */
  stop(clusterId: string): Promise<void>;
}

/**
 * What a database backend can do. `fence`, `switchover` (stop cleanly, wait for replay: the
 * self-managed planned move), `managed-switchover` (the backend moves the writer itself),
 * `rejoin`, `synchronous` and `replication-status` name the optional methods of the same
 * purpose; `promote` names {@link Database.promote}.
 */
export type DatabaseCapability =
  | 'pitr'
  | 'backups'
  | 'snapshots'
  | 'replicas'
  | 'promote'
  | 'global'
  | 'fence'
  | 'switchover'
  | 'managed-switchover'
  | 'rejoin'
  | 'synchronous'
  | 'replication-status'
  | 'delayed-standby';

export type BackupType = 'full' | 'diff' | 'incr' | 'snapshot';

/** How to connect to a cluster (never carries a password). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

export interface ClusterInfo {
  readonly id: string;
  readonly endpoint: Endpoint;
  /** `running`, `stopped`, `available`, … as the backend says it. */
  readonly status: string;
  /** `primary` or `standby`. */
  readonly role: 'primary' | 'standby' | 'unknown';
  /** Backend-specific facts (data directory, stanza, ARN…), for reports. */
  readonly details: Record<string, unknown>;
}

export interface RecoverableWindow {
  readonly earliest: Date;
  readonly latest: Date;
}

export interface RestoreRequest {
  /** The cluster to restore from; never modified. */
  readonly source: string;
  /** The instant to restore to, or `latest` for the latest restorable time. */
  readonly target: Date | 'latest';
  /** Id of the cluster to create. */
  readonly newClusterId: string;
  /** Port for the new cluster (self-managed only); a free one is chosen when absent. */
  readonly port?: number;
  /** Called with human-readable progress (phase names, percentages). */
  readonly onProgress?: (p: RestoreProgress) => void;
}

export interface RestoreProgress {
  readonly phase: string;
  readonly message: string;
  readonly elapsedMs: number;
}

export interface RestoreResult {
  readonly cluster: ClusterInfo;
  /** The instant actually restored to (the target, or the resolved `latest`). */
  readonly restoredTo: Date;
  /** Wall-clock time from request to writable, in milliseconds. */
  readonly durationMs: number;
  /** Per-phase durations (restore files, replay WAL, promote…). */
  readonly phases: ReadonlyArray<{ readonly phase: string; readonly durationMs: number }>;
}

export interface BackupInfo {
  readonly label: string;
  readonly type: BackupType;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  readonly sizeBytes?: number;
}

/** One standby as its primary sees it. */
export interface StandbyLag {
  /** The standby's name (self-managed: its `application_name`, set to the cluster id). */
  readonly name: string;
  /** `streaming`, `catchup`, … */
  readonly state: string;
  /** `async`, `sync`, `potential`, `quorum`. */
  readonly syncState: string;
  /** WAL written on the primary and not yet replayed on the standby. */
  readonly lagBytes: number;
  /** Replay lag in seconds (null when the standby is idle and caught up). */
  readonly replayLagSeconds: number | null;
}

/** A delayed standby as {@link Database.delayedStandbys} sees it. */
export interface DelayedStandbyStatus {
  readonly id: string;
  /** The primary it replays from. */
  readonly primary: string;
  /** `recovery_min_apply_delay`, seconds. */
  readonly applyDelaySeconds: number;
  readonly running: boolean;
  /** Replay paused (`pg_wal_replay_pause()`), by hand or by an RB-N-02 run in progress. */
  readonly paused: boolean;
  /** Its WAL receiver streams from the primary (else it is fed from the archive only). */
  readonly streaming: boolean;
  /** The commit time of the last transaction it replayed. */
  readonly lastReplayedCommitAt?: Date;
  /** Now − {@link lastReplayedCommitAt}, seconds (≈ the delay while commits flow). */
  readonly replayLagSeconds?: number;
  /**
   * The targets a fast restore from it can reach: its last replayed commit … now. Absent when
   * it is unhealthy.
   */
  readonly window?: RecoverableWindow;
  readonly healthy: boolean;
  /** Why it is unhealthy (down, promoted, lagging beyond its window, …). */
  readonly problem?: string;
}

/** Replication facts of a primary. */
export interface ReplicationStatus {
  readonly primary: string;
  readonly currentLsn: string;
  readonly synchronousStandbyNames: string;
  readonly standbys: ReadonlyArray<StandbyLag>;
}
