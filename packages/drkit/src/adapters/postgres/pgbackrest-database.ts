import type {
  ReplicationStatus,
  BackupInfo,
  DelayedStandbyStatus,
  BackupType,
  ClusterInfo,
  Database,
  DatabaseCapability,
  RecoverableWindow,
  RestoreRequest,
  RestoreResult,
} from '../../ports/database.js';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import { PgClusterManager, type PgClusterManagerOptions } from './pg-cluster-manager.js';
import { completeRestore, planRestore, restoreToTime, type RestorePlan } from './pg-restore.js';
import { createStandby, promote, rebuildDelayedStandby } from './pg-standby.js';
import {
  delayedStandbys,
  planFastRestore,
  restoreFromDelayedStandby,
} from './pg-delayed-standby.js';
import {
  fence,
  isFenced,
  rejoinAsStandby,
  replicationStatus,
  setSynchronous,
  stopForSwitchover,
  waitForReplay,
} from './pg-replication.js';
import { assertInWindow, windowFor } from './recovery-window.js';

/**
 * The {@link Database} port over self-managed PostgreSQL clusters with WAL archived and backed
 * up by pgBackRest (the lab's database, and any host where drkit runs next to PostgreSQL).
 *
 * Recoverable window: earliest = one second after the stop of the oldest backup (pgBackRest
 * stores whole seconds); latest = the source's clock when it is running (restoreToTime seals
 * the archive first, making that true), else the last commit found in the archived WAL.
 */
export class PgBackRestDatabase implements Database {
  readonly kind = 'pgbackrest';
  readonly capabilities: ReadonlySet<DatabaseCapability> = new Set<DatabaseCapability>([
    'pitr',
    'backups',
    'replicas',
    'promote',
    'fence',
    'switchover',
    'rejoin',
    'synchronous',
    'replication-status',
    'delayed-standby',
  ]);
  /** The cluster manager underneath (start/stop/kill for drills, connection options). */
  readonly clusters: PgClusterManager;

  constructor(clustersOrOptions: PgClusterManager | PgClusterManagerOptions) {
    this.clusters =
      clustersOrOptions instanceof PgClusterManager
        ? clustersOrOptions
        : new PgClusterManager(clustersOrOptions);
  }

  /** Registry facts plus, when running, the server's own view of its role. */
  async describe(clusterId: string): Promise<ClusterInfo> {
    const c = this.clusters.get(clusterId);
    const running = this.clusters.isRunning(clusterId);
    let role: ClusterInfo['role'] = c.role;
    if (running) {
      try {
        const [r] = await this.clusters.query<{ rec: boolean }>(
          clusterId,
          'select pg_is_in_recovery() as rec',
        );
        role = r?.rec ? 'standby' : 'primary';
      } catch {
        role = 'unknown';
      }
    }
    return {
      id: c.id,
      endpoint: { host: '127.0.0.1', port: c.port, database: 'postgres', user: c.superuser },
      status: running ? 'running' : 'stopped',
      role,
      details: {
        dataDir: c.dataDir,
        stanza: c.stanza,
        ownsStanza: c.ownsStanza,
        origin: c.origin,
        createdAt: c.createdAt,
        ...(c.applyDelaySeconds !== undefined ? { applyDelaySeconds: c.applyDelaySeconds } : {}),
      },
    };
  }

  /** See the class comment. @throws NotFoundError, PreconditionError (no backup yet) */
  async recoverableWindow(clusterId: string): Promise<RecoverableWindow> {
    const stanza = this.stanzaOf(clusterId);
    return await windowFor(this.clusters, clusterId, await this.clusters.pgbackrest.info(stanza));
  }

  /** PITR into a new cluster; see `restoreToTime` in `pg-restore.ts` for phases and guardrails. */
  async restoreToTime(req: RestoreRequest): Promise<RestoreResult> {
    return await restoreToTime(this.clusters, req);
  }

  /**
   * The dry-run text of {@link restoreToTime}: one line per phase with its exact command.
   * Refuses a target outside the recoverable window as the restore would (a running source is
   * sealed first, so its window then reaches the present).
   * @throws OutOfWindowError, NotFoundError
   */
  async planRestoreToTime(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'>,
  ): Promise<string[]> {
    if (req.target !== 'latest') {
      const w = await this.recoverableWindow(req.source);
      const sealed = this.clusters.isRunning(req.source) ? { ...w, latest: new Date() } : w;
      assertInWindow(req.target, sealed, req.source);
    }
    return this.planRestore(req).steps.map((s) =>
      s.command ? `${s.phase}: ${s.command}` : `${s.phase}: ${s.description}`,
    );
  }

  /** See the port: waits until promoted, checks a write, creates and checks its own stanza. */
  async completeRestore(clusterId: string): Promise<void> {
    await completeRestore(this.clusters, clusterId);
  }

  /** The dry-run plan of {@link restoreToTime}: steps and exact commands, nothing run. */
  planRestore(req: Omit<RestoreRequest, 'onProgress'>): RestorePlan {
    return planRestore(this.clusters, req);
  }

  /** `pgbackrest backup --type=<type>` (default `full`) and returns the new backup. */
  async backup(
    clusterId: string,
    opts: { type?: BackupType; label?: string } = {},
  ): Promise<BackupInfo> {
    const type = opts.type ?? 'full';
    if (type === 'snapshot')
      throw new UsageError(`pgBackRest takes full, diff or incr backups, not '${type}'`);
    const stanza = this.stanzaOf(clusterId);
    const before = new Set(
      (await this.clusters.pgbackrest.info(stanza)).backups.map((b) => b.label),
    );
    // A labelled backup is drkit's own, taken inside a runbook: retention must not let it
    // expire older backups (and their WAL) that the recovery in progress depends on.
    await this.clusters.pgbackrest.backup(stanza, type, opts.label, {
      expire: opts.label === undefined,
    });
    const after = (await this.clusters.pgbackrest.info(stanza)).backups;
    const made = after.filter((b) => !before.has(b.label)).pop();
    if (!made)
      throw new NotFoundError(`backup of '${stanza}' finished but pgBackRest lists no new backup`);
    return made;
  }

  /** Valid backups of the cluster's stanza, oldest first. */
  async listBackups(clusterId: string): Promise<BackupInfo[]> {
    return [...(await this.clusters.pgbackrest.info(this.stanzaOf(clusterId))).backups];
  }

  /** A streaming standby of `sourceId` restored from its backups (see `pg-standby.ts`). */
  async createStandby(
    sourceId: string,
    newClusterId: string,
    opts: { port?: number; applyDelaySeconds?: number } = {},
  ): Promise<ClusterInfo> {
    await createStandby(this.clusters, sourceId, newClusterId, opts);
    return await this.describe(newClusterId);
  }

  /** Registry records with an apply delay replaying from `primaryId`, read live (see `pg-delayed-standby.ts`). */
  async delayedStandbys(primaryId: string): Promise<DelayedStandbyStatus[]> {
    return await delayedStandbys(this.clusters, primaryId);
  }

  /** RB-N-02's fast path: the delayed standby replayed to the target and promoted as a new cluster. */
  async restoreFromDelayedStandby(
    req: RestoreRequest & { standbyId: string },
  ): Promise<RestoreResult> {
    return await restoreFromDelayedStandby(this.clusters, req);
  }

  async planRestoreFromDelayedStandby(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'> & { standbyId: string },
  ): Promise<string[]> {
    return planFastRestore(this.clusters, req);
  }

  /** A fresh delayed standby of `primaryId` (a full backup first when its stanza has none). */
  async rebuildDelayedStandby(
    primaryId: string,
    standbyId: string,
    opts: { applyDelaySeconds: number; progress?: (m: string) => void },
  ): Promise<{ cluster: ClusterInfo; backupLabel?: string }> {
    const r = await rebuildDelayedStandby(this.clusters, primaryId, standbyId, opts);
    return { cluster: await this.describe(standbyId), ...r };
  }

  async planCheckStandby(clusterId: string): Promise<string[]> {
    return [`database(${this.kind}) describe ${clusterId}`];
  }

  async planStop(clusterId: string): Promise<string[]> {
    return [`database(${this.kind}) stop ${clusterId}  (pg_ctl stop -m fast)`];
  }

  async planPromote(clusterId: string): Promise<string[]> {
    return [`database(${this.kind}) promote ${clusterId}  (SELECT pg_promote(true, 60))`];
  }

  async planFence(clusterId: string): Promise<string[]> {
    return [
      `database(${this.kind}) fence ${clusterId}: stop -m immediate if running; write drkit-fence.conf (default_transaction_read_only=on) + standby.signal; drkit start refuses it`,
    ];
  }

  async planStopForSwitchover(clusterId: string): Promise<string[]> {
    return [
      `database(${this.kind}) stopForSwitchover ${clusterId}  (pg_ctl stop -m fast; pg_controldata: latest checkpoint LSN)`,
    ];
  }

  async planWaitForReplay(standbyId: string, lsn: string): Promise<string[]> {
    return [
      `database(${this.kind}) waitForReplay ${standbyId} >= ${lsn}  (pg_last_wal_replay_lsn())`,
    ];
  }

  async planRejoinAsStandby(clusterId: string, primaryId: string): Promise<string[]> {
    return [
      `database(${this.kind}) rejoinAsStandby ${clusterId} of ${primaryId}  (pg_rewind --source-server=<${primaryId}>; if impossible pgbackrest restore --type=standby)`,
    ];
  }

  /** Promotes a standby; resolves when it accepts writes. */
  async promote(clusterId: string): Promise<{ durationMs: number }> {
    return { durationMs: await promote(this.clusters, clusterId) };
  }

  /** `pg_stat_replication` of a primary: lag in bytes and seconds per standby. */
  async replication(primaryId: string): Promise<ReplicationStatus> {
    return await replicationStatus(this.clusters, primaryId);
  }

  /** `synchronous_standby_names` in `drkit-replication.conf`, then a reload. */
  async setSynchronous(primaryId: string, standbyIds: readonly string[]): Promise<void> {
    await setSynchronous(this.clusters, primaryId, standbyIds);
  }

  /** Stops (if running) and marks the cluster read-only and unstartable; see `pg-replication.ts`. */
  async fence(clusterId: string, reason: string): Promise<{ wasRunning: boolean }> {
    return await fence(this.clusters, clusterId, reason);
  }

  isFenced(clusterId: string): boolean {
    return isFenced(this.clusters, clusterId);
  }

  async stopForSwitchover(clusterId: string): Promise<{ finalLsn: string }> {
    return await stopForSwitchover(this.clusters, clusterId);
  }

  async waitForReplay(standbyId: string, lsn: string, timeoutMs?: number): Promise<string> {
    return await waitForReplay(this.clusters, standbyId, lsn, timeoutMs);
  }

  /** pg_rewind against the new primary, or a fresh standby restore when that is impossible. */
  async rejoinAsStandby(
    clusterId: string,
    primaryId: string,
    opts: { forceRestore?: boolean; progress?: (m: string) => void } = {},
  ) {
    return await rejoinAsStandby(
      this.clusters,
      clusterId,
      primaryId,
      (src, id, port) => createStandby(this.clusters, src, id, { port }),
      opts,
    );
  }

  /** `pg_ctl stop -m fast`; keeps the data directory and registry record. Idempotent. */
  async stop(clusterId: string): Promise<void> {
    await this.clusters.stop(clusterId, 'fast');
  }

  private stanzaOf(clusterId: string): string {
    const c = this.clusters.get(clusterId);
    if (!c.stanza)
      throw new NotFoundError(`cluster '${clusterId}' has no pgBackRest stanza`, {
        hint: 'it was created without archiving',
      });
    return c.stanza;
  }
}
