import {
  CapabilityError,
  PreconditionError,
  StepTimeoutError,
  UsageError,
} from '../../engine/errors.js';
import type {
  BackupInfo,
  BackupType,
  ClusterInfo,
  Database,
  DatabaseCapability,
  RecoverableWindow,
  RestoreRequest,
  RestoreResult,
} from '../../ports/database.js';
import { sleep } from '../../util/net.js';
import type { GlobalClusterMember, RdsDatabase } from './rds-database.js';

/** Options of {@link RegionalRdsDatabase}. */
export interface RegionalRdsDatabaseOptions {
  /** The RDS adapter of each region. */
  readonly byRegion: Readonly<Record<string, RdsDatabase>>;
  /** Aurora cluster id → region. */
  readonly clusters: Readonly<Record<string, string>>;
  /**
   * RDS PostgreSQL instance id → region (dbMode `rds-postgres`: region B's instance is a
   * cross-region read replica, promoted with PromoteReadReplica). @default none
   */
  readonly instances?: Readonly<Record<string, string>>;
  /**
   * The Aurora Global Database joining the clusters. When set, promotion is a managed
   * FailoverGlobalCluster (AllowDataLoss: the unplanned case), a planned move is
   * SwitchoverGlobalCluster, and a rejoin waits for AWS to rebuild the old primary as a
   * secondary. @default none: cross-region replica clusters (PromoteReadReplicaDBCluster)
   */
  readonly globalClusterId?: string;
  /** Poll interval while waiting for the global database's writer to move, in ms. @default 10000 */
  readonly pollMs?: number;
  /** Longest wait for the writer to move or a secondary to become available, in ms. @default 1800000 */
  readonly maxWaitMs?: number;
}

/**
 * The database port over two regions' RDS adapters, for the region runbooks: each call goes to
 * the region its cluster lives in (`clusters` maps cluster id → region). A cross-region move
 * names a cluster in A and one in B; this keeps the runbook provider-neutral.
 */
export class RegionalRdsDatabase implements Database {
  readonly kind = 'aws-rds';
  readonly capabilities: ReadonlySet<DatabaseCapability>;

  constructor(private readonly opts: RegionalRdsDatabaseOptions) {
    this.capabilities = new Set<DatabaseCapability>([
      'replicas',
      'promote',
      'snapshots',
      'backups',
      // the only planned move and rebuild RDS has: without a global database they refuse
      // with a CapabilityError naming aws.globalClusterId (a clearer answer than "cannot")
      'managed-switchover',
      'rejoin',
      ...(opts.globalClusterId ? (['global'] as const) : []),
    ]);
  }

  /** Whether `id` names an RDS instance rather than an Aurora cluster. */
  isInstance(id: string): boolean {
    return this.opts.instances?.[id] !== undefined;
  }

  /** The RDS adapter of the region `clusterId` (or instance id) lives in. @throws UsageError */
  of(clusterId: string): RdsDatabase {
    const region = this.opts.clusters[clusterId] ?? this.opts.instances?.[clusterId];
    const db = region ? this.opts.byRegion[region] : undefined;
    if (!db) {
      throw new UsageError(`cluster ${clusterId} is not one of the configured region clusters`, {
        hint: `configured: ${
          Object.entries({ ...this.opts.clusters, ...this.opts.instances })
            .map(([c, r]) => `${c} (${r})`)
            .join(', ') || 'none'
        }: set aws.regions.a.dbCluster and aws.regions.b.dbCluster (or dbInstance for RDS PostgreSQL)`,
      });
    }
    return db;
  }

  async describe(clusterId: string): Promise<ClusterInfo> {
    if (this.isInstance(clusterId)) return this.of(clusterId).describeInstance(clusterId);
    const info = await this.of(clusterId).describe(clusterId);
    if (!this.opts.globalClusterId) return info;
    // a global secondary has no ReplicationSourceIdentifier: its role is the membership's
    const m = (await this.members()).find((x) => x.clusterId === clusterId);
    return {
      ...info,
      role: m ? (m.writer ? 'primary' : 'standby') : info.role,
      details: {
        ...info.details,
        globalClusterId: this.opts.globalClusterId,
        globalMember: m !== undefined,
      },
    };
  }

  planRestoreToTime(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'>,
  ): Promise<string[]> {
    return this.of(req.source).planRestoreToTime(req);
  }

  async planCheckStandby(clusterId: string): Promise<string[]> {
    const source = this.isInstance(clusterId)
      ? 'ReadReplicaSourceDBInstanceIdentifier'
      : this.opts.globalClusterId
        ? 'global membership as a secondary'
        : 'ReplicationSourceIdentifier';
    return [`${this.describeCall(clusterId)}  # available with a ${source}`];
  }

  async planStop(clusterId: string): Promise<string[]> {
    const region = this.regionOf(clusterId);
    return [
      this.describeCall(clusterId),
      `${this.isInstance(clusterId) ? `rds:StopDBInstance Region=${region} DBInstanceIdentifier` : `rds:StopDBCluster Region=${region} DBClusterIdentifier`}=${clusterId}  # when reachable and not stopped`,
    ];
  }

  async planPromote(clusterId: string): Promise<string[]> {
    const g = this.opts.globalClusterId;
    if (this.isInstance(clusterId))
      return [
        `rds:PromoteReadReplica Region=${this.regionOf(clusterId)} DBInstanceIdentifier=${clusterId}  # it leaves its source for good`,
        `rds:wait db-instance-available DBInstanceIdentifier=${clusterId}`,
        `${this.describeCall(clusterId)}  # must have no ReadReplicaSourceDBInstanceIdentifier`,
      ];
    if (!g) return this.of(clusterId).planPromote(clusterId);
    return [
      `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g}  # ${clusterId} must be a member; nothing to do if it already writes`,
      `rds:FailoverGlobalCluster GlobalClusterIdentifier=${g} TargetDbClusterIdentifier=<${clusterId}'s ARN> AllowDataLoss=true`,
      `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g}  # every 10 s until ${clusterId} IsWriter and available`,
    ];
  }

  async planCheckSwitchover(fromId: string, toId: string): Promise<string[]> {
    return [
      `rds:DescribeGlobalClusters GlobalClusterIdentifier=${this.opts.globalClusterId ?? '<aws.globalClusterId: not set, refused>'}  # ${fromId} IsWriter, ${toId} a secondary`,
      `rds:DescribeDBClusters Region=${this.regionOf(fromId)} DBClusterIdentifier=${fromId}  # available`,
      `rds:DescribeDBClusters Region=${this.regionOf(toId)} DBClusterIdentifier=${toId}  # available`,
    ];
  }

  async planSwitchover(fromId: string, toId: string): Promise<string[]> {
    const g = this.opts.globalClusterId ?? '<unset>';
    return [
      `rds:SwitchoverGlobalCluster GlobalClusterIdentifier=${g} TargetDbClusterIdentifier=<${toId}'s ARN>  # AWS catches the secondary up first: no data loss`,
      `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g}  # every 10 s until ${toId} IsWriter and ${fromId} an available secondary`,
    ];
  }

  async planRejoinAsStandby(clusterId: string, primaryId: string): Promise<string[]> {
    return [
      `rds:DescribeGlobalClusters GlobalClusterIdentifier=${this.opts.globalClusterId ?? '<aws.globalClusterId: not set, refused>'}  # ${primaryId} IsWriter; every 10 s until ${clusterId} is a secondary`,
      `rds:DescribeDBClusters DBClusterIdentifier=${clusterId}  # until available (AWS rebuilds it: nothing is rewound or restored by drkit)`,
    ];
  }

  /** The describe call of a cluster or instance (for dry-run). */
  planDescribe(clusterId: string): string[] {
    return [this.describeCall(clusterId)];
  }

  /** The region `clusterId` (or instance id) lives in. @throws UsageError */
  private regionOf(clusterId: string): string {
    this.of(clusterId);
    return (this.opts.clusters[clusterId] ?? this.opts.instances?.[clusterId])!;
  }

  /** The describe call of a cluster or instance, for plan text. */
  private describeCall(clusterId: string): string {
    const region = this.regionOf(clusterId);
    return this.isInstance(clusterId)
      ? `rds:DescribeDBInstances Region=${region} DBInstanceIdentifier=${clusterId}`
      : `rds:DescribeDBClusters Region=${region} DBClusterIdentifier=${clusterId}`;
  }

  recoverableWindow(clusterId: string): Promise<RecoverableWindow> {
    return this.of(clusterId).recoverableWindow(clusterId);
  }

  // RB-N-01's fallback would restore region A's backup while region A is down: RDS cannot
  // restore a cluster's point in time into another region, so it is refused, not improvised.
  restoreToTime(): Promise<RestoreResult> {
    return Promise.reject(
      new CapabilityError(
        "no usable replica in the target region, and RDS cannot restore another region's cluster to a point in time",
        {
          hint: 'restore the latest snapshot copied to the target region (RdsDatabase.restoreFromSnapshot), then rerun with the new cluster as aws.regions.b.dbCluster',
        },
      ),
    );
  }

  backup(clusterId: string, opts?: { type?: BackupType; label?: string }): Promise<BackupInfo> {
    return this.of(clusterId).backup(clusterId, opts);
  }

  listBackups(clusterId: string): Promise<BackupInfo[]> {
    return this.of(clusterId).listBackups(clusterId);
  }

  /**
   * Makes `clusterId` the writer. An RDS instance: PromoteReadReplica (it leaves its source for
   * good). An Aurora cluster without a global database: PromoteReadReplicaDBCluster. With
   * one: FailoverGlobalCluster with AllowDataLoss (the region of the writer is down: what it
   * had not replicated is lost, as RB-N-01 measures), then waits until `clusterId` writes.
   */
  async promote(clusterId: string): Promise<{ readonly durationMs: number }> {
    if (this.isInstance(clusterId)) {
      const r = await this.of(clusterId).promoteReadReplica(clusterId);
      return { durationMs: r.durationMs };
    }
    const g = this.opts.globalClusterId;
    if (!g) return this.of(clusterId).promote(clusterId);
    const t = Date.now();
    const target = await this.member(clusterId);
    if (!target.writer) {
      await this.of(clusterId).failoverGlobalCluster({
        globalClusterId: g,
        targetClusterArn: target.arn,
        allowDataLoss: true,
      });
      await this.waitWriter(clusterId);
    }
    return { durationMs: Date.now() - t };
  }

  async checkSwitchover(fromId: string, toId: string): Promise<string> {
    const members = await this.members();
    const from = members.find((m) => m.clusterId === fromId);
    const to = members.find((m) => m.clusterId === toId);
    const g = this.global();
    if (!from || !to) {
      throw new PreconditionError(
        `${!from ? fromId : toId} is not a member of the global database ${g}`,
        {
          hint: `members: ${members.map((m) => `${m.clusterId} (${m.region}${m.writer ? ', writer' : ''})`).join(', ') || 'none'}; add the cluster as a secondary first`,
        },
      );
    }
    if (to.writer) return `${toId} already writes in ${g}: the switchover is done`;
    if (!from.writer)
      throw new PreconditionError(`${fromId} is not the writer of ${g}`, {
        hint: `the writer is ${members.find((m) => m.writer)?.clusterId ?? 'none'}: swap the direction`,
      });
    const [fs, ts] = await Promise.all([this.describe(fromId), this.describe(toId)]);
    for (const c of [fs, ts]) {
      if (c.status !== 'available')
        throw new PreconditionError(`${c.id} is ${c.status}, not available`, {
          hint: 'a switchover needs both clusters available; wait, or fail over instead (rb-n-01)',
        });
    }
    return `${g}: writer ${fromId} (${from.region}), secondary ${toId} (${to.region}) available`;
  }

  /** SwitchoverGlobalCluster to `toId` (AWS waits for it to catch up: no data loss), then waits for the roles to swap. */
  async switchover(
    fromId: string,
    toId: string,
    opts: { readonly progress?: (m: string) => void } = {},
  ): Promise<{ readonly durationMs: number; readonly alreadyDone: boolean }> {
    const t = Date.now();
    const to = await this.member(toId);
    if (to.writer) return { durationMs: 0, alreadyDone: true };
    await this.checkSwitchover(fromId, toId);
    await this.of(toId).switchoverGlobalCluster({
      globalClusterId: this.global(),
      targetClusterArn: to.arn,
    });
    opts.progress?.(`SwitchoverGlobalCluster accepted: waiting for ${toId} to write`);
    await this.waitWriter(toId);
    await this.waitSecondary(fromId, opts.progress);
    return { durationMs: Date.now() - t, alreadyDone: false };
  }

  /**
   * With a global database AWS rebuilds the old primary as a secondary by itself (after a
   * switchover at once, after a managed failover once its region is back): this waits until
   * `clusterId` is an available secondary. A cluster no longer in the global database is
   * refused with the command that adds a new secondary.
   */
  async rejoinAsStandby(
    clusterId: string,
    primaryId: string,
    opts: { readonly progress?: (m: string) => void } = {},
  ): Promise<{ readonly method: 'managed'; readonly durationMs: number }> {
    const t = Date.now();
    const p = await this.member(primaryId);
    if (!p.writer)
      throw new PreconditionError(
        `${primaryId} is not the writer of ${this.opts.globalClusterId}`,
        { hint: 'rejoin under the current writer' },
      );
    await this.waitSecondary(clusterId, opts.progress);
    return { method: 'managed', durationMs: Date.now() - t };
  }

  /** The global database's id. @throws CapabilityError without one */
  private global(): string {
    const g = this.opts.globalClusterId;
    if (!g) {
      throw new CapabilityError(
        'a managed switchover or rejoin needs an Aurora Global Database: cross-region replica clusters cannot be switched back without rebuilding them',
        {
          hint: 'set aws.globalClusterId to the global database joining aws.regions.a.dbCluster and aws.regions.b.dbCluster',
        },
      );
    }
    return g;
  }

  private async members(): Promise<GlobalClusterMember[]> {
    const g = this.global();
    const any = Object.values(this.opts.byRegion)[0];
    if (!any) throw new UsageError('no region configured');
    return any.globalMembers(g);
  }

  private async member(clusterId: string): Promise<GlobalClusterMember> {
    const members = await this.members();
    const m = members.find((x) => x.clusterId === clusterId);
    if (!m) {
      throw new PreconditionError(
        `${clusterId} is not a member of the global database ${this.opts.globalClusterId}`,
        {
          hint: `members: ${members.map((x) => x.clusterId).join(', ') || 'none'}`,
        },
      );
    }
    return m;
  }

  private async poll(
    what: string,
    done: () => Promise<string | true>,
    progress?: (m: string) => void,
  ): Promise<void> {
    const deadline = Date.now() + (this.opts.maxWaitMs ?? 30 * 60_000);
    for (;;) {
      const r = await done();
      if (r === true) return;
      if (Date.now() >= deadline)
        throw new StepTimeoutError(
          `${what}: still ${r} after ${Math.round((this.opts.maxWaitMs ?? 30 * 60_000) / 1000)} s`,
        );
      progress?.(`${what}: ${r}`);
      await sleep(this.opts.pollMs ?? 10_000);
    }
  }

  private waitWriter(clusterId: string): Promise<void> {
    return this.poll(`waiting for ${clusterId} to write`, async () => {
      const m = (await this.members()).find((x) => x.clusterId === clusterId);
      if (!m?.writer) return 'not the writer';
      const c = await this.of(clusterId).describe(clusterId);
      return c.status === 'available' ? true : `writer, ${c.status}`;
    });
  }

  private async waitSecondary(clusterId: string, progress?: (m: string) => void): Promise<void> {
    const g = this.global();
    if (!(await this.members()).some((x) => x.clusterId === clusterId)) {
      throw new PreconditionError(
        `${clusterId} is not in the global database ${g} any more (detached or deleted)`,
        {
          hint: `add a new secondary in its region: aws rds create-db-cluster --global-cluster-identifier ${g} --db-cluster-identifier <new id> --engine aurora-postgresql, plus a reader instance; then set it as the region's dbCluster`,
        },
      );
    }
    await this.poll(
      `waiting for ${clusterId} to be an available secondary`,
      async () => {
        const m = (await this.members()).find((x) => x.clusterId === clusterId);
        if (!m) return 'gone from the global database';
        if (m.writer) return 'still the writer';
        const c = await this.of(clusterId)
          .describe(clusterId)
          .catch((e: unknown) => ({ status: `unreachable (${(e as Error).message})` }));
        return c.status === 'available' ? true : c.status;
      },
      progress,
    );
  }

  stop(clusterId: string): Promise<void> {
    return this.isInstance(clusterId)
      ? this.of(clusterId).stopInstance(clusterId)
      : this.of(clusterId).stop(clusterId);
  }
}
