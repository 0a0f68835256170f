import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeEventsCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  PromoteReadReplicaCommand,
  PromoteReadReplicaDBClusterCommand,
  RestoreDBClusterFromSnapshotCommand,
  SwitchoverGlobalClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  RestoreDBClusterToPointInTimeCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
  waitUntilDBClusterAvailable,
  waitUntilDBClusterSnapshotAvailable,
  waitUntilDBInstanceAvailable,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
  StepTimeoutError,
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
import type { AwsClients } from './clients.js';
import { awsCall, awsErrorName, translateAwsError } from './errors.js';

/** One cluster of an Aurora Global Database. */
export interface GlobalClusterMember {
  readonly arn: string;
  readonly clusterId: string;
  readonly region: string;
  readonly writer: boolean;
}

/** Options of {@link RdsDatabase}. */
export interface RdsDatabaseOptions {
  readonly clients: AwsClients;
  /** Region of the clusters this adapter manages. @default the factory's default region */
  readonly region?: string;
  /** Instance class of the writer created for a restored cluster. @default 'db.serverless' */
  readonly writerInstanceClass?: string;
  /** DB subnet group for restored clusters (seed 003 passes one). @default the account default */
  readonly dbSubnetGroupName?: string;
  /** Security groups for restored clusters. @default the VPC default */
  readonly vpcSecurityGroupIds?: readonly string[];
  /** Longest wait for a cluster, instance or snapshot to become available, in s. @default 3600 */
  readonly maxWaitSeconds?: number;
  /** Database name reported in endpoints when the cluster has none. @default 'postgres' */
  readonly defaultDatabase?: string;
}

/**
 * The database port on Amazon RDS / Aurora (one region). Restores always create a new cluster
 * plus a writer instance (a restored Aurora cluster has no instance until one is created).
 * Beyond the port: restore from a (cross-region) snapshot, copy snapshots across regions,
 * promote read replicas, Aurora Global Database failover/switchover, recent events.
 */
export class RdsDatabase implements Database {
  readonly kind = 'aws-rds';
  readonly capabilities: ReadonlySet<DatabaseCapability> = new Set<DatabaseCapability>([
    'pitr',
    'backups',
    'snapshots',
    'replicas',
    'promote',
    'global',
  ]);
  readonly region: string;
  protected readonly rds: RDSClient;

  constructor(protected readonly opts: RdsDatabaseOptions) {
    this.region = opts.region ?? opts.clients.defaultRegion;
    this.rds = opts.clients.rds(this.region);
  }

  async describe(clusterId: string): Promise<ClusterInfo> {
    return this.toInfo(await this.cluster(clusterId));
  }

  async recoverableWindow(clusterId: string): Promise<RecoverableWindow> {
    const c = await this.cluster(clusterId);
    if (!c.EarliestRestorableTime || !c.LatestRestorableTime) {
      throw new PreconditionError(`cluster ${clusterId} reports no restorable window`, {
        hint: 'automated backups may be off (BackupRetentionPeriod 0) or the cluster is still creating',
      });
    }
    return { earliest: c.EarliestRestorableTime, latest: c.LatestRestorableTime };
  }

  /**
   * The API calls {@link restoreToTime} makes, one line each (for dry-run). Reads the source's
   * window only, to refuse a target outside it as the restore would.
   * @throws OutOfWindowError
   */
  async planRestoreToTime(
    req: Pick<RestoreRequest, 'source' | 'target' | 'newClusterId'>,
  ): Promise<string[]> {
    if (req.target !== 'latest')
      assertInWindow(req.source, req.target, await this.recoverableWindow(req.source));
    const when =
      req.target === 'latest'
        ? 'UseLatestRestorableTime=true'
        : `RestoreToTime=${req.target.toISOString()} UseLatestRestorableTime=false`;
    return [
      `rds:DescribeDBClusters DBClusterIdentifier=${req.source} Region=${this.region}  # check the target against EarliestRestorableTime/LatestRestorableTime`,
      `rds:RestoreDBClusterToPointInTime DBClusterIdentifier=${req.newClusterId} SourceDBClusterIdentifier=${req.source} ${when}${this.networkText()}`,
      `rds:wait db-cluster-available DBClusterIdentifier=${req.newClusterId}`,
      `rds:CreateDBInstance DBInstanceIdentifier=${req.newClusterId}-writer DBClusterIdentifier=${req.newClusterId} DBInstanceClass=${this.instanceClass()} Engine=<source engine>`,
      `rds:wait db-instance-available DBInstanceIdentifier=${req.newClusterId}-writer`,
      `rds:DescribeDBClusters DBClusterIdentifier=${req.newClusterId}  # report the endpoint`,
    ];
  }

  async restoreToTime(req: RestoreRequest): Promise<RestoreResult> {
    const started = Date.now();
    const phases: Array<{ phase: string; durationMs: number }> = [];
    const phase = async <T>(name: string, message: string, fn: () => Promise<T>): Promise<T> => {
      const t = Date.now();
      req.onProgress?.({ phase: name, message, elapsedMs: t - started });
      const out = await fn();
      phases.push({ phase: name, durationMs: Date.now() - t });
      return out;
    };
    const source = await this.cluster(req.source);
    const window = await this.recoverableWindow(req.source);
    if (req.target !== 'latest') assertInWindow(req.source, req.target, window);
    await this.assertAbsent(req.newClusterId);
    await phase(
      'restore-cluster',
      `RestoreDBClusterToPointInTime ${req.source} -> ${req.newClusterId}`,
      () =>
        awsCall({ action: 'rds:RestoreDBClusterToPointInTime', resource: req.newClusterId }, () =>
          this.rds.send(
            new RestoreDBClusterToPointInTimeCommand({
              DBClusterIdentifier: req.newClusterId,
              SourceDBClusterIdentifier: req.source,
              ...(req.target === 'latest'
                ? { UseLatestRestorableTime: true }
                : { RestoreToTime: req.target, UseLatestRestorableTime: false }),
              ...this.network(),
              Tags: [{ Key: 'drkit:restored-from', Value: req.source }],
            }),
          ),
        ),
    );
    await phase('wait-cluster', `waiting for ${req.newClusterId} to be available`, () =>
      this.waitCluster(req.newClusterId),
    );
    await phase('create-writer', `CreateDBInstance ${req.newClusterId}-writer`, () =>
      this.createWriter(req.newClusterId, source.Engine ?? 'aurora-postgresql'),
    );
    const cluster = await this.describe(req.newClusterId);
    return {
      cluster,
      restoredTo: req.target === 'latest' ? window.latest : req.target,
      durationMs: Date.now() - started,
      phases,
    };
  }

  async backup(
    clusterId: string,
    opts: { type?: BackupType; label?: string } = {},
  ): Promise<BackupInfo> {
    if (opts.type && opts.type !== 'snapshot')
      throw new PreconditionError(`RDS takes snapshots only, not ${opts.type} backups`);
    const id =
      opts.label ??
      `${clusterId}-drkit-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
    const started = new Date();
    await awsCall({ action: 'rds:CreateDBClusterSnapshot', resource: id }, () =>
      this.rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: clusterId,
          DBClusterSnapshotIdentifier: id,
          Tags: [{ Key: 'drkit', Value: 'manual' }],
        }),
      ),
    );
    await this.waitSnapshot(id);
    const snap = (await this.snapshots({ DBClusterSnapshotIdentifier: id }))[0];
    return {
      ...toBackup(snap ?? { DBClusterSnapshotIdentifier: id }),
      startedAt: started,
      stoppedAt: new Date(),
    };
  }

  async listBackups(clusterId: string): Promise<BackupInfo[]> {
    await this.cluster(clusterId); // NotFoundError for an unknown cluster rather than an empty list
    const snaps = await this.snapshots({ DBClusterIdentifier: clusterId });
    return snaps.map(toBackup).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  async planCheckStandby(clusterId: string): Promise<string[]> {
    return [
      `rds:DescribeDBClusters Region=${this.region} DBClusterIdentifier=${clusterId}  # available with a ReplicationSourceIdentifier`,
    ];
  }

  async planStop(clusterId: string): Promise<string[]> {
    return [
      `rds:DescribeDBClusters Region=${this.region} DBClusterIdentifier=${clusterId}`,
      `rds:StopDBCluster Region=${this.region} DBClusterIdentifier=${clusterId}  # when reachable and not stopped`,
    ];
  }

  async stop(clusterId: string): Promise<void> {
    const c = await this.cluster(clusterId);
    if (c.Status === 'stopped' || c.Status === 'stopping') return;
    await awsCall({ action: 'rds:StopDBCluster', resource: clusterId }, () =>
      this.rds.send(new StopDBClusterCommand({ DBClusterIdentifier: clusterId })),
    );
  }

  async planPromote(clusterId: string): Promise<string[]> {
    return [
      `rds:PromoteReadReplicaDBCluster Region=${this.region} DBClusterIdentifier=${clusterId}`,
      `rds:wait db-cluster-available DBClusterIdentifier=${clusterId}`,
      `rds:DescribeDBClusters Region=${this.region} DBClusterIdentifier=${clusterId}  # must have a writer and no replication source`,
    ];
  }

  // ---- beyond the port (seeds RB-N-01, 003, 004)

  async promote(clusterId: string): Promise<{ readonly durationMs: number }> {
    const t = Date.now();
    await awsCall({ action: 'rds:PromoteReadReplicaDBCluster', resource: clusterId }, () =>
      this.rds.send(new PromoteReadReplicaDBClusterCommand({ DBClusterIdentifier: clusterId })),
    );
    await this.waitCluster(clusterId);
    return { durationMs: Date.now() - t };
  }

  /** Promotes a (cross-region) RDS PostgreSQL read replica instance (seed 004). */
  async promoteReadReplica(
    instanceId: string,
  ): Promise<{ readonly endpoint: string; readonly durationMs: number }> {
    const t = Date.now();
    await awsCall({ action: 'rds:PromoteReadReplica', resource: instanceId }, () =>
      this.rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: instanceId })),
    );
    await this.waiter(`instance ${instanceId}`, () =>
      waitUntilDBInstanceAvailable(
        { client: this.rds, maxWaitTime: this.maxWait(), minDelay: 15 },
        { DBInstanceIdentifier: instanceId },
      ),
    );
    const out = await awsCall({ action: 'rds:DescribeDBInstances', resource: instanceId }, () =>
      this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId })),
    );
    const i = out.DBInstances?.[0];
    return {
      endpoint: `${i?.Endpoint?.Address ?? ''}:${i?.Endpoint?.Port ?? 5432}`,
      durationMs: Date.now() - t,
    };
  }

  /**
   * Describes an RDS PostgreSQL instance (dbMode `rds-postgres`) in the port's terms: a read
   * replica is a `standby`, any other instance a `primary`. @throws NotFoundError
   */
  async describeInstance(instanceId: string): Promise<ClusterInfo> {
    const out = await awsCall({ action: 'rds:DescribeDBInstances', resource: instanceId }, () =>
      this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId })),
    );
    const i: DBInstance | undefined = out.DBInstances?.[0];
    if (!i) throw new NotFoundError(`RDS instance ${instanceId} not found in ${this.region}`);
    return {
      id: i.DBInstanceIdentifier ?? instanceId,
      endpoint: {
        host: i.Endpoint?.Address ?? '',
        port: i.Endpoint?.Port ?? 5432,
        database: i.DBName ?? this.opts.defaultDatabase ?? 'postgres',
        user: i.MasterUsername ?? '',
      },
      status: i.DBInstanceStatus ?? 'unknown',
      role: i.ReadReplicaSourceDBInstanceIdentifier ? 'standby' : 'primary',
      details: {
        arn: i.DBInstanceArn,
        engine: i.Engine,
        engineVersion: i.EngineVersion,
        instanceClass: i.DBInstanceClass,
        region: this.region,
        replicationSource: i.ReadReplicaSourceDBInstanceIdentifier,
        replicas: i.ReadReplicaDBInstanceIdentifiers,
      },
    };
  }

  /** Stops an RDS instance (the fence of an old primary in dbMode `rds-postgres`). */
  async stopInstance(instanceId: string): Promise<void> {
    const i = await this.describeInstance(instanceId);
    if (i.status === 'stopped' || i.status === 'stopping') return;
    await awsCall({ action: 'rds:StopDBInstance', resource: instanceId }, () =>
      this.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: instanceId })),
    );
  }

  /**
   * Restores a cluster snapshot (in this region: its id, or a copy made by
   * {@link copySnapshotCrossRegion}) into a new cluster with a writer (seed RB-N-01).
   */
  async restoreFromSnapshot(req: {
    readonly snapshotId: string;
    readonly newClusterId: string;
    readonly engine?: string;
  }): Promise<ClusterInfo> {
    await this.assertAbsent(req.newClusterId);
    const snap = (await this.snapshots({ DBClusterSnapshotIdentifier: req.snapshotId }))[0];
    if (!snap)
      throw new NotFoundError(`cluster snapshot ${req.snapshotId} not found in ${this.region}`);
    const engine = req.engine ?? snap.Engine ?? 'aurora-postgresql';
    await awsCall({ action: 'rds:RestoreDBClusterFromSnapshot', resource: req.newClusterId }, () =>
      this.rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: req.newClusterId,
          SnapshotIdentifier: req.snapshotId,
          Engine: engine,
          ...this.network(),
          Tags: [{ Key: 'drkit:restored-from', Value: req.snapshotId }],
        }),
      ),
    );
    await this.waitCluster(req.newClusterId);
    await this.createWriter(req.newClusterId, engine);
    return await this.describe(req.newClusterId);
  }

  /**
   * Copies a cluster snapshot of this region into `targetRegion` (the nightly copy to region
   * B). Called on the target region with the source snapshot's ARN: the SDK's RDS middleware
   * sees the ARN's region differs and adds the presigned source-region URL itself (needed for
   * encrypted snapshots, with `kmsKeyId` of the target region).
   */
  async copySnapshotCrossRegion(req: {
    readonly snapshotId: string;
    readonly targetRegion: string;
    readonly targetSnapshotId?: string;
    readonly kmsKeyId?: string;
  }): Promise<{ readonly arn: string; readonly status: string }> {
    const snap = (await this.snapshots({ DBClusterSnapshotIdentifier: req.snapshotId }))[0];
    if (!snap?.DBClusterSnapshotArn)
      throw new NotFoundError(`cluster snapshot ${req.snapshotId} not found in ${this.region}`);
    const target = this.opts.clients.rds(req.targetRegion);
    const targetId = req.targetSnapshotId ?? `${req.snapshotId}-${this.region}`;
    const out = await awsCall(
      { action: 'rds:CopyDBClusterSnapshot', resource: `${req.targetRegion}/${targetId}` },
      () =>
        target.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: snap.DBClusterSnapshotArn,
            TargetDBClusterSnapshotIdentifier: targetId,
            CopyTags: true,
            ...(req.kmsKeyId ? { KmsKeyId: req.kmsKeyId } : {}),
          }),
        ),
    );
    await this.waitSnapshot(targetId, target);
    return { arn: out.DBClusterSnapshot?.DBClusterSnapshotArn ?? '', status: 'available' };
  }

  /**
   * Aurora Global Database: unplanned failover to a secondary cluster (`allowDataLoss`) or,
   * without it, a managed failover. `targetClusterArn` is the secondary cluster's ARN.
   */
  async failoverGlobalCluster(req: {
    readonly globalClusterId: string;
    readonly targetClusterArn: string;
    readonly allowDataLoss?: boolean;
  }): Promise<void> {
    await awsCall({ action: 'rds:FailoverGlobalCluster', resource: req.globalClusterId }, () =>
      this.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: req.globalClusterId,
          TargetDbClusterIdentifier: req.targetClusterArn,
          ...(req.allowDataLoss ? { AllowDataLoss: true } : {}),
        }),
      ),
    );
  }

  /** Aurora Global Database: planned switchover (no data loss) to a secondary cluster. */
  async switchoverGlobalCluster(req: {
    readonly globalClusterId: string;
    readonly targetClusterArn: string;
  }): Promise<void> {
    await awsCall({ action: 'rds:SwitchoverGlobalCluster', resource: req.globalClusterId }, () =>
      this.rds.send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: req.globalClusterId,
          TargetDbClusterIdentifier: req.targetClusterArn,
        }),
      ),
    );
  }

  /**
   * The members of an Aurora Global Database (DescribeGlobalClusters): each cluster's id,
   * region (from its ARN) and whether it is the writer. @throws NotFoundError
   */
  async globalMembers(globalClusterId: string): Promise<GlobalClusterMember[]> {
    const out = await awsCall(
      { action: 'rds:DescribeGlobalClusters', resource: globalClusterId },
      () =>
        this.rds.send(
          new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }),
        ),
    );
    // matched by id: moto ignores the filter and lists every global database
    const g = out.GlobalClusters?.find((x) => x.GlobalClusterIdentifier === globalClusterId);
    if (!g)
      throw new NotFoundError(`Aurora global database ${globalClusterId} not found`, {
        hint: 'check aws.globalClusterId (rds describe-global-clusters lists them)',
      });
    return (g.GlobalClusterMembers ?? []).map((m) => {
      const arn = m.DBClusterArn ?? '';
      // arn:aws:rds:<region>:<account>:cluster:<id>
      const parts = arn.split(':');
      return {
        arn,
        clusterId: parts[6] ?? arn,
        region: parts[3] ?? '',
        writer: m.IsWriter === true,
      };
    });
  }

  /** Recent events of a cluster (seed 003: `describe-events --duration 60`), oldest first. */
  async describeEvents(req: {
    readonly sourceId: string;
    readonly sourceType?: 'db-cluster' | 'db-instance';
    readonly durationMinutes?: number;
  }): Promise<Array<{ at: Date; message: string; categories: string[] }>> {
    const out: Array<{ at: Date; message: string; categories: string[] }> = [];
    let Marker: string | undefined;
    do {
      const page = await awsCall({ action: 'rds:DescribeEvents', resource: req.sourceId }, () =>
        this.rds.send(
          new DescribeEventsCommand({
            SourceType: req.sourceType ?? 'db-cluster',
            SourceIdentifier: req.sourceId,
            Duration: req.durationMinutes ?? 60,
            Marker,
          }),
        ),
      );
      for (const e of page.Events ?? [])
        out.push({
          at: e.Date ?? new Date(0),
          message: e.Message ?? '',
          categories: e.EventCategories ?? [],
        });
      Marker = page.Marker;
    } while (Marker);
    return out.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  // ---- shared helpers

  protected async cluster(clusterId: string): Promise<DBCluster> {
    const out = await awsCall({ action: 'rds:DescribeDBClusters', resource: clusterId }, () =>
      this.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId })),
    );
    const c = out.DBClusters?.[0];
    if (!c) throw new NotFoundError(`RDS cluster ${clusterId} not found in ${this.region}`);
    return c;
  }

  protected async assertAbsent(clusterId: string): Promise<void> {
    try {
      await this.cluster(clusterId);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    throw new PreconditionError(`cluster ${clusterId} already exists in ${this.region}`, {
      hint: 'restores always create a new cluster: choose another id',
    });
  }

  protected async createWriter(clusterId: string, engine: string): Promise<void> {
    const id = `${clusterId}-writer`;
    await awsCall({ action: 'rds:CreateDBInstance', resource: id }, () =>
      this.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBClusterIdentifier: clusterId,
          DBInstanceClass: this.instanceClass(),
          Engine: engine,
        }),
      ),
    );
    await this.waiter(`instance ${id}`, () =>
      waitUntilDBInstanceAvailable(
        { client: this.rds, maxWaitTime: this.maxWait(), minDelay: 15 },
        { DBInstanceIdentifier: id },
      ),
    );
  }

  protected async waitCluster(clusterId: string): Promise<void> {
    await this.waiter(`cluster ${clusterId}`, () =>
      waitUntilDBClusterAvailable(
        { client: this.rds, maxWaitTime: this.maxWait(), minDelay: 15 },
        { DBClusterIdentifier: clusterId },
      ),
    );
  }

  protected async waitSnapshot(snapshotId: string, rds = this.rds): Promise<void> {
    await this.waiter(`snapshot ${snapshotId}`, () =>
      waitUntilDBClusterSnapshotAvailable(
        { client: rds, maxWaitTime: this.maxWait(), minDelay: 15 },
        { DBClusterSnapshotIdentifier: snapshotId },
      ),
    );
  }

  /** Runs an SDK waiter; its timeout becomes a retryable `StepTimeoutError`. */
  protected async waiter(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (awsErrorName(err) === 'TimeoutError') {
        throw new StepTimeoutError(`${what} did not become available within ${this.maxWait()} s`, {
          cause: err,
        });
      }
      throw translateAwsError(err, { action: 'rds:wait', resource: what });
    }
  }

  protected async snapshots(
    filter: { DBClusterIdentifier?: string; DBClusterSnapshotIdentifier?: string },
    rds = this.rds,
  ): Promise<DBClusterSnapshot[]> {
    const out: DBClusterSnapshot[] = [];
    let Marker: string | undefined;
    do {
      const page = await awsCall(
        {
          action: 'rds:DescribeDBClusterSnapshots',
          resource: filter.DBClusterIdentifier ?? filter.DBClusterSnapshotIdentifier,
        },
        () => rds.send(new DescribeDBClusterSnapshotsCommand({ ...filter, Marker })),
      );
      out.push(...(page.DBClusterSnapshots ?? []));
      Marker = page.Marker;
    } while (Marker);
    return out;
  }

  protected toInfo(c: DBCluster): ClusterInfo {
    const writer = c.DBClusterMembers?.find((m) => m.IsClusterWriter);
    return {
      id: c.DBClusterIdentifier ?? '',
      endpoint: {
        host: c.Endpoint ?? '',
        port: c.Port ?? 5432,
        database: c.DatabaseName ?? this.opts.defaultDatabase ?? 'postgres',
        user: c.MasterUsername ?? '',
      },
      status: c.Status ?? 'unknown',
      role: c.ReplicationSourceIdentifier ? 'standby' : writer ? 'primary' : 'unknown',
      details: {
        arn: c.DBClusterArn,
        engine: c.Engine,
        engineVersion: c.EngineVersion,
        readerEndpoint: c.ReaderEndpoint,
        writer: writer?.DBInstanceIdentifier,
        members: c.DBClusterMembers?.map((m) => m.DBInstanceIdentifier),
        region: this.region,
        earliestRestorableTime: c.EarliestRestorableTime?.toISOString(),
        latestRestorableTime: c.LatestRestorableTime?.toISOString(),
        replicationSource: c.ReplicationSourceIdentifier,
        // set by restoreToTime: lets a resumed RB-N-02 recognise its own finished restore
        restoredFrom: c.TagList?.find((t) => t.Key === 'drkit:restored-from')?.Value,
      },
    };
  }

  protected network(): { DBSubnetGroupName?: string; VpcSecurityGroupIds?: string[] } {
    return {
      ...(this.opts.dbSubnetGroupName ? { DBSubnetGroupName: this.opts.dbSubnetGroupName } : {}),
      ...(this.opts.vpcSecurityGroupIds
        ? { VpcSecurityGroupIds: [...this.opts.vpcSecurityGroupIds] }
        : {}),
    };
  }

  protected networkText(): string {
    const n = this.network();
    return `${n.DBSubnetGroupName ? ` DBSubnetGroupName=${n.DBSubnetGroupName}` : ''}${n.VpcSecurityGroupIds ? ` VpcSecurityGroupIds=${n.VpcSecurityGroupIds.join(',')}` : ''}`;
  }

  protected instanceClass(): string {
    return this.opts.writerInstanceClass ?? 'db.serverless';
  }

  protected maxWait(): number {
    return this.opts.maxWaitSeconds ?? 3600;
  }
}

function toBackup(s: DBClusterSnapshot): BackupInfo {
  const at = s.SnapshotCreateTime ?? new Date(0);
  return {
    label: s.DBClusterSnapshotIdentifier ?? '',
    type: 'snapshot',
    startedAt: at,
    stoppedAt: at,
    ...(s.AllocatedStorage ? { sizeBytes: s.AllocatedStorage * 1024 ** 3 } : {}),
  };
}

/** @throws OutOfWindowError unless `target` lies in `window` */
function assertInWindow(source: string, target: Date, window: RecoverableWindow): void {
  const t = target.getTime();
  if (Number.isNaN(t) || t < window.earliest.getTime() || t > window.latest.getTime()) {
    throw new OutOfWindowError(
      `restore target ${isoOr(target)} is outside the recoverable window of ${source}: ${window.earliest.toISOString()} .. ${window.latest.toISOString()}`,
      {
        hint: 'pick a time inside the window, or target "latest"',
        details: { earliest: window.earliest.toISOString(), latest: window.latest.toISOString() },
      },
    );
  }
}

function isoOr(d: Date): string {
  return Number.isNaN(d.getTime()) ? String(d) : d.toISOString();
}
