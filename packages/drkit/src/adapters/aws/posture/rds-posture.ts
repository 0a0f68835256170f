import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeGlobalClustersCommand,
} from '@aws-sdk/client-rds';
import type { PosturePolicy } from '../../../ports/posture.js';
import type { AwsClients } from '../clients.js';
import { awsCall } from '../errors.js';
import { age, CheckList } from './check-list.js';

/** The database of each region `drkit verify` reads (an Aurora cluster or an RDS instance). */
export interface RdsPostureTarget {
  readonly regionA: string;
  readonly regionB: string;
  /** `cluster` (Aurora) or `instance` (RDS PostgreSQL). */
  readonly mode: 'cluster' | 'instance';
  /** Region A's cluster or instance id. */
  readonly a: string;
  /** Region B's replica (cross-region replica or global secondary). @default none: not checked */
  readonly b?: string;
  /** The Aurora Global Database joining a and b. @default none (a cross-region replica) */
  readonly globalClusterId?: string;
}

/** What one describe call gives, for either mode. */
interface DbView {
  readonly arn: string;
  readonly retentionDays: number | undefined;
  readonly latestRestorable: Date | undefined;
  readonly deletionProtection: boolean | undefined;
  /** The source this one replicates from (cluster: ReplicationSourceIdentifier). */
  readonly source: string | undefined;
}

async function describe(clients: AwsClients, region: string, mode: string, id: string) {
  const rds = clients.rds(region);
  if (mode === 'cluster') {
    const out = await awsCall({ action: 'rds:DescribeDBClusters', resource: id }, () =>
      rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id })),
    );
    const c = out.DBClusters?.[0];
    if (!c) throw new Error(`rds:DescribeDBClusters returned no cluster ${id} in ${region}`);
    return {
      arn: c.DBClusterArn ?? id,
      retentionDays: c.BackupRetentionPeriod,
      latestRestorable: c.LatestRestorableTime,
      deletionProtection: c.DeletionProtection,
      source: c.ReplicationSourceIdentifier,
    } satisfies DbView;
  }
  const out = await awsCall({ action: 'rds:DescribeDBInstances', resource: id }, () =>
    rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
  );
  const i = out.DBInstances?.[0];
  if (!i) throw new Error(`rds:DescribeDBInstances returned no instance ${id} in ${region}`);
  return {
    arn: i.DBInstanceArn ?? id,
    retentionDays: i.BackupRetentionPeriod,
    latestRestorable: i.LatestRestorableTime,
    deletionProtection: i.DeletionProtection,
    source: i.ReadReplicaSourceDBInstanceIdentifier,
  } satisfies DbView;
}

/** Every snapshot in `region` taken of `sourceId` (copies keep the source's id), newest first. */
async function snapshotsOf(clients: AwsClients, region: string, mode: string, sourceId: string) {
  const rds = clients.rds(region);
  const found: { id: string; at: Date; status: string }[] = [];
  let Marker: string | undefined;
  do {
    if (mode === 'cluster') {
      const out = await awsCall(
        { action: 'rds:DescribeDBClusterSnapshots', resource: `${region}` },
        () => rds.send(new DescribeDBClusterSnapshotsCommand({ Marker })),
      );
      for (const s of out.DBClusterSnapshots ?? [])
        if (s.DBClusterIdentifier === sourceId && s.SnapshotCreateTime)
          found.push({
            id: s.DBClusterSnapshotIdentifier ?? '?',
            at: s.SnapshotCreateTime,
            status: s.Status ?? '?',
          });
      Marker = out.Marker;
    } else {
      const out = await awsCall({ action: 'rds:DescribeDBSnapshots', resource: region }, () =>
        rds.send(new DescribeDBSnapshotsCommand({ Marker })),
      );
      for (const s of out.DBSnapshots ?? [])
        if (s.DBInstanceIdentifier === sourceId && s.SnapshotCreateTime)
          found.push({
            id: s.DBSnapshotIdentifier ?? '?',
            at: s.SnapshotCreateTime,
            status: s.Status ?? '?',
          });
      Marker = out.Marker;
    }
  } while (Marker);
  return found.sort((x, y) => y.at.getTime() - x.at.getTime());
}

/**
 * The RDS / Aurora posture: region A's backup retention vs `minWindowDays`, its latest restorable
 * time vs the RPO target, deletion protection, a snapshot of it in region B no older than
 * `maxBackupAgeHours`; region B's replica (or the global cluster's members) and its lag from
 * CloudWatch vs the RPO target. A field the endpoint does not return is a warn, never a pass.
 */
export async function rdsPosture(
  clients: AwsClients,
  t: RdsPostureTarget,
  policy: PosturePolicy,
  now: () => Date = () => new Date(),
): Promise<CheckList> {
  const list = new CheckList();
  const subject = `${t.mode} ${t.a} (${t.regionA})`;
  let a: DbView | undefined;
  await list.guard('rds.describe', subject, async () => {
    a = await describe(clients, t.regionA, t.mode, t.a);
  });
  if (a) {
    const r = a.retentionDays;
    if (r === undefined)
      list.notChecked('rds.backup-retention', subject, 'no BackupRetentionPeriod returned');
    else
      list.add(
        'rds.backup-retention',
        subject,
        r >= policy.minWindowDays ? 'pass' : 'fail',
        `${r} day${r === 1 ? '' : 's'}`,
        `policy: at least ${policy.minWindowDays} days of PITR (posture.minWindowDays)${r === 0 ? '; 0 = automated backups off' : ''}`,
      );
    const lr = a.latestRestorable;
    if (!lr) list.notChecked('rds.restorable-lag', subject, 'no LatestRestorableTime returned');
    else {
      const lag = now().getTime() - lr.getTime();
      list.add(
        'rds.restorable-lag',
        subject,
        lag <= policy.rpoTargetSeconds * 1000 ? 'pass' : 'fail',
        `${lr.toISOString()} (${age(Math.max(0, lag))} ago)`,
        `the latest restorable time may lag now by at most the RPO target (${policy.rpoTargetSeconds} s)`,
      );
    }
    const dp = a.deletionProtection;
    if (dp === undefined)
      list.notChecked('rds.deletion-protection', subject, 'no DeletionProtection returned');
    else
      list.add(
        'rds.deletion-protection',
        subject,
        dp ? 'pass' : 'fail',
        dp ? 'on' : 'off',
        dp
          ? 'a delete call is refused'
          : 'one DeleteDB call removes the database (and, without a final snapshot, its automated backups)',
      );
  }
  await list.guard('rds.snapshot-copy', `${t.mode} ${t.a} → ${t.regionB}`, async () => {
    const snaps = (await snapshotsOf(clients, t.regionB, t.mode, t.a)).filter(
      (s) => s.status === 'available',
    );
    const newest = snaps[0];
    const subj = `${t.mode} ${t.a} → ${t.regionB}`;
    const max = policy.maxBackupAgeHours;
    if (!newest) {
      list.add(
        'rds.snapshot-copy',
        subj,
        'fail',
        'none',
        `no available snapshot of ${t.a} in ${t.regionB}: a region loss leaves no copy to restore (policy: one newer than ${max} h)`,
      );
      return;
    }
    const ms = now().getTime() - newest.at.getTime();
    list.add(
      'rds.snapshot-copy',
      subj,
      ms <= max * 3_600_000 ? 'pass' : 'fail',
      `newest ${newest.id} ${age(ms)} old (${snaps.length} in ${t.regionB})`,
      `policy: a copy in ${t.regionB} at most ${max} h old (posture.maxBackupAgeHours; seeds: nightly)`,
    );
  });
  if (t.b) await replicaChecks(clients, t, t.b, a, policy, list);
  return list;
}

async function replicaChecks(
  clients: AwsClients,
  t: RdsPostureTarget,
  bId: string,
  a: DbView | undefined,
  policy: PosturePolicy,
  list: CheckList,
): Promise<void> {
  const subject = `${t.mode} ${bId} (${t.regionB})`;
  const g = t.globalClusterId;
  if (g) {
    await list.guard('rds.global-cluster', `global cluster ${g}`, async () => {
      const out = await awsCall({ action: 'rds:DescribeGlobalClusters', resource: g }, () =>
        clients
          .rds(t.regionA)
          .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: g })),
      );
      const members = out.GlobalClusters?.[0]?.GlobalClusterMembers ?? [];
      const id = (arn?: string) => arn?.split(':').at(-1) ?? '?';
      const ids = members.map((m) => `${id(m.DBClusterArn)}${m.IsWriter ? ' (writer)' : ''}`);
      const missing = [t.a, bId].filter((x) => !members.some((m) => id(m.DBClusterArn) === x));
      list.add(
        'rds.global-cluster',
        `global cluster ${g}`,
        missing.length ? 'fail' : 'pass',
        `members: ${ids.join(', ') || 'none'}${members.some((m) => m.IsWriter) ? '' : '; no writer reported'}`,
        missing.length
          ? `not a member: ${missing.join(', ')}`
          : `both regions' clusters are members`,
      );
    });
  } else {
    await list.guard('rds.replica', subject, async () => {
      const b = await describe(clients, t.regionB, t.mode, bId);
      const src = b.source;
      const ok = src !== undefined && (src === a?.arn || src === t.a || src.endsWith(`:${t.a}`));
      list.add(
        'rds.replica',
        subject,
        ok ? 'pass' : 'fail',
        src ? `replicates from ${src}` : 'no replication source',
        ok
          ? `a cross-region replica of ${t.a}`
          : `${bId} is not a replica of ${t.a} (promoted, or never one): region B has no live copy`,
      );
    });
  }
  // the lag is a CloudWatch metric (RDS itself does not describe it)
  const [metric, dim, unitMs] = g
    ? ['AuroraGlobalDBReplicationLag', 'DBClusterIdentifier', true]
    : t.mode === 'instance'
      ? ['ReplicaLag', 'DBInstanceIdentifier', false]
      : ['AuroraBinlogReplicaLag', 'DBClusterIdentifier', false];
  await list.guard('rds.replica-lag', subject, async () => {
    const end = new Date();
    const out = await awsCall(
      { action: 'cloudwatch:GetMetricStatistics', resource: `AWS/RDS ${metric} ${bId}` },
      () =>
        clients.cloudwatch(t.regionB).send(
          new GetMetricStatisticsCommand({
            Namespace: 'AWS/RDS',
            MetricName: metric,
            Dimensions: [{ Name: dim, Value: bId }],
            StartTime: new Date(end.getTime() - 600_000),
            // a minute past now: the current, still open period is included (moto drops it otherwise)
            EndTime: new Date(end.getTime() + 60_000),
            Period: 60,
            Statistics: ['Maximum'],
          }),
        ),
    );
    const points = (out.Datapoints ?? []).filter((p) => p.Maximum !== undefined);
    if (points.length === 0) {
      list.notChecked(
        'rds.replica-lag',
        subject,
        `no ${metric} datapoint in the last 10 min in ${t.regionB} (the endpoint publishes none — moto never does — or the replica reports no lag)`,
      );
      return;
    }
    const maxS = Math.max(...points.map((p) => p.Maximum!)) / (unitMs ? 1000 : 1);
    list.add(
      'rds.replica-lag',
      subject,
      maxS <= policy.rpoTargetSeconds ? 'pass' : 'fail',
      `${metric} max ${maxS.toFixed(2)} s over the last 10 min (${points.length} datapoints)`,
      `replica lag within the RPO target (${policy.rpoTargetSeconds} s)`,
    );
  });
}
