import { RDS_SECRET_FORMAT } from '../../adapters/app-secret/index.js';
import { EcsCompute, Route53Router, type createAwsAdapters } from '../../adapters/aws/index.js';
import { MultiRegionSecrets } from '../../adapters/aws/multi-region-secrets.js';
import { RegionalRdsDatabase } from '../../adapters/aws/regional-database.js';
import type { DrkitConfig } from '../../config/schema.js';
import { UsageError } from '../../engine/errors.js';
import type { AppSecret } from '../../ports/app-secret.js';
import type { Compute } from '../../ports/compute.js';
import type { Database } from '../../ports/database.js';
import type { Notifier } from '../../ports/notifier.js';
import type { RegionMove, RegionTopology } from '../../ports/region-topology.js';
import type { Router } from '../../ports/router.js';

/** The region runbooks' ports on AWS. */
export interface AwsRegionPorts {
  readonly regionDatabase: Database;
  readonly regionAppSecret: AppSecret;
  readonly router: Router;
  readonly compute: Compute;
  readonly regionTopology: RegionTopology;
}

/** Config keys RB-N-01 needs on AWS that are not set (dotted paths). */
export function missingRegionKeys(a: DrkitConfig['aws']): string[] {
  const missing: string[] = [];
  if (!a.route53) missing.push('aws.route53.hostedZoneId', 'aws.route53.recordName');
  for (const r of ['a', 'b'] as const) {
    if (!a.regions[r].dbCluster && !a.regions[r].dbInstance)
      missing.push(`aws.regions.${r}.dbCluster (or dbInstance)`);
    for (const k of ['ecsCluster', 'ecsService', 'recordValue'] as const)
      if (!a.regions[r][k]) missing.push(`aws.regions.${r}.${k}`);
  }
  return missing;
}

/**
 * The region ports on AWS: Aurora clusters of both regions (promote B's cross-region replica
 * cluster, stop A's when reachable), the Route 53 failover record, the ECS service of each
 * region, the DB endpoint secret in region B, and `aws.appUrl` for the post-checks.
 * @throws UsageError naming every missing config key
 */
export function bindAwsRegions(
  config: DrkitConfig,
  aws: ReturnType<typeof createAwsAdapters>,
  notifier: Notifier,
): AwsRegionPorts {
  const a = config.aws;
  const missing = missingRegionKeys(a);
  if (missing.length || !a.route53) {
    throw new UsageError(
      `rb-n-01 on --provider aws needs config keys that are not set: ${missing.join(', ')}`,
      {
        hint: 'set them in drkit.config.yaml under aws: (route53: {hostedZoneId, recordName}, regions: {a: {dbCluster or dbInstance, ecsCluster, ecsService, recordValue, healthCheckId}, b: {…}})',
      },
    );
  }
  const [A, B] = [a.regionA, a.regionB];
  const ra = a.regions.a;
  const rb = a.regions.b;
  // dbMode rds-postgres: both regions name instances; aurora: both name clusters
  const instances = Boolean(ra.dbInstance || rb.dbInstance);
  if ((ra.dbCluster || rb.dbCluster) && instances) {
    throw new UsageError('aws.regions name both Aurora clusters and RDS instances', {
      hint: 'use dbCluster in both regions (Aurora) or dbInstance in both (RDS PostgreSQL with a cross-region read replica)',
    });
  }
  if (instances && a.globalClusterId) {
    throw new UsageError(
      'aws.globalClusterId is for Aurora clusters, but aws.regions name RDS instances',
      { hint: 'remove aws.globalClusterId, or name the Aurora clusters with dbCluster' },
    );
  }
  const dbA = (ra.dbCluster ?? ra.dbInstance)!;
  const dbB = (rb.dbCluster ?? rb.dbInstance)!;
  const describe = (region: string, id: string) =>
    instances
      ? `rds:DescribeDBInstances Region=${region} DBInstanceIdentifier=${id}`
      : `rds:DescribeDBClusters Region=${region} DBClusterIdentifier=${id}`;
  const r53 = a.route53;
  const g = a.globalClusterId;
  const database = new RegionalRdsDatabase({
    byRegion: { [A]: aws.database.primary, [B]: aws.database.secondary },
    ...(instances
      ? { clusters: {}, instances: { [dbA]: A, [dbB]: B } }
      : { clusters: { [dbA]: A, [dbB]: B } }),
    ...(g ? { globalClusterId: g } : {}),
  });
  const router = new Route53Router({
    clients: aws.clients,
    hostedZoneId: r53.hostedZoneId,
    recordName: r53.recordName,
    recordType: r53.recordType,
    ttl: r53.ttl,
    primaryRegion: A,
    targets: [
      {
        region: A,
        value: ra.recordValue!,
        ...(ra.setIdentifier ? { setIdentifier: ra.setIdentifier } : {}),
        ...(ra.healthCheckId ? { healthCheckId: ra.healthCheckId } : {}),
      },
      {
        region: B,
        value: rb.recordValue!,
        ...(rb.setIdentifier ? { setIdentifier: rb.setIdentifier } : {}),
        ...(rb.healthCheckId ? { healthCheckId: rb.healthCheckId } : {}),
      },
    ],
  });
  const compute = new EcsCompute({
    clients: aws.clients,
    services: {
      [A]: { cluster: ra.ecsCluster!, service: ra.ecsService! },
      [B]: { cluster: rb.ecsCluster!, service: rb.ecsService! },
    },
  });
  // the app in each region reads its own region's copy of the secret: every reachable copy is
  // written (region B's first: in a regional outage A's is unreachable, and B's replica of a
  // secret whose primary is in A is promoted)
  const secrets = new MultiRegionSecrets([aws.secrets.secondary, aws.secrets.primary], {
    promoteReplicaWhenPrimaryDown: true,
  });
  const healthCheckOf = (region: string) =>
    region === A ? ra.healthCheckId : region === B ? rb.healthCheckId : undefined;
  const ecsOf = (region: string) => (region === A ? ra : rb);
  const topology: Omit<RegionTopology, 'move'> = {
    kind: 'aws',
    ...(a.appUrl ? { frontDoorUrl: a.appUrl.replace(/\/$/, '') } : {}),
    async sourceHealth(s) {
      // Route 53's checkers probe the region's endpoint (the data plane) from outside; the
      // cluster's status is the control plane's view. Either one down counts as down.
      const st = await router.status();
      const r53 = st.targets.find((t) => t.region === s.fromRegion)?.health ?? 'unchecked';
      const db = await database.describe(s.fromCluster).then(
        (d) => d.status,
        (e: unknown) => `unreachable (${(e as Error).message})`,
      );
      const ecs = await compute.counts(s.fromRegion).then(
        (c) => `desired ${c.desired}, running ${c.running}`,
        (e: unknown) => `unreachable (${(e as Error).message})`,
      );
      const healthy = r53 !== 'down' && db === 'available';
      return {
        healthy,
        detail: `Route 53 health check of ${s.fromRegion}: ${r53}; ${instances ? 'instance' : 'cluster'} ${s.fromCluster}: ${db}; ECS service in ${s.fromRegion}: ${ecs}`,
      };
    },
    plans: {
      health: (s) => [
        `route53:ListResourceRecordSets HostedZoneId=${r53.hostedZoneId} StartRecordName=${r53.recordName}`,
        ...(healthCheckOf(s.fromRegion)
          ? [`route53:GetHealthCheckStatus HealthCheckId=${healthCheckOf(s.fromRegion)}`]
          : [
              `(no Route 53 health check configured for ${s.fromRegion}: aws.regions.a.healthCheckId)`,
            ]),
        `${describe(s.fromRegion, s.fromCluster)}  # healthy = health check up and ${instances ? 'instance' : 'cluster'} available`,
        `ecs:DescribeServices Region=${s.fromRegion} cluster=${ecsOf(s.fromRegion).ecsCluster} services=${ecsOf(s.fromRegion).ecsService}`,
      ],
      decide: (s) => [
        `${describe(s.toRegion, s.toCluster)}  # available with a ${instances ? 'ReadReplicaSourceDBInstanceIdentifier' : g ? 'global membership as a secondary' : 'ReplicationSourceIdentifier'}`,
      ],
      fence: (s) => [
        describe(s.fromRegion, s.fromCluster),
        `${instances ? `rds:StopDBInstance Region=${s.fromRegion} DBInstanceIdentifier` : `rds:StopDBCluster Region=${s.fromRegion} DBClusterIdentifier`}=${s.fromCluster}  # when reachable and not stopped; an unreachable region is noted and the failover goes on`,
      ],
      promote: (s) =>
        instances
          ? [
              `rds:PromoteReadReplica Region=${s.toRegion} DBInstanceIdentifier=${s.toCluster}  # it leaves its source for good`,
              `rds:wait db-instance-available DBInstanceIdentifier=${s.toCluster}`,
              `${describe(s.toRegion, s.toCluster)}  # must have no ReadReplicaSourceDBInstanceIdentifier`,
            ]
          : g
            ? [
                `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g}  # ${s.toCluster} must be a member; nothing to do if it already writes`,
                `rds:FailoverGlobalCluster GlobalClusterIdentifier=${g} TargetDbClusterIdentifier=<${s.toCluster}'s ARN> AllowDataLoss=true`,
                `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g}  # every 10 s until ${s.toCluster} IsWriter and available`,
              ]
            : [
                `rds:PromoteReadReplicaDBCluster Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}`,
                `rds:wait db-cluster-available DBClusterIdentifier=${s.toCluster}`,
                `rds:DescribeDBClusters Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}  # must have a writer and no replication source`,
              ],
      checkSwitchover: (s) => [
        `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g ?? '<aws.globalClusterId: not set, refused>'}  # ${s.fromCluster} IsWriter, ${s.toCluster} a secondary`,
        `rds:DescribeDBClusters Region=${s.fromRegion} DBClusterIdentifier=${s.fromCluster}  # available`,
        `rds:DescribeDBClusters Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}  # available`,
      ],
      switchover: (s) => [
        `rds:SwitchoverGlobalCluster GlobalClusterIdentifier=${g ?? '<unset>'} TargetDbClusterIdentifier=<${s.toCluster}'s ARN>  # AWS catches the secondary up first: no data loss`,
        `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g ?? '<unset>'}  # every 10 s until ${s.toCluster} IsWriter and ${s.fromCluster} an available secondary`,
      ],
      rejoin: (standby, primary) => [
        `rds:DescribeGlobalClusters GlobalClusterIdentifier=${g ?? '<aws.globalClusterId: not set, refused>'}  # ${primary} IsWriter; every 10 s until ${standby} is a secondary`,
        `rds:DescribeDBClusters DBClusterIdentifier=${standby}  # until available (AWS rebuilds it: nothing is rewound or restored by drkit)`,
      ],
      secret: async (s) => {
        // read-only: shows the endpoint that will be written and which fields are kept, by
        // name only (the secret holds the password)
        const ep = await database.describe(s.toCluster).then(
          (d) => `${d.endpoint.host}:${d.endpoint.port}`,
          () => `<${s.toCluster}'s endpoint>`,
        );
        const [host, port] = [ep.slice(0, ep.lastIndexOf(':')), ep.slice(ep.lastIndexOf(':') + 1)];
        const kept = await secrets.get(s.appConfigSecret).then(
          (v) => Object.keys(v).filter((k) => k !== 'host' && k !== 'port'),
          (e: unknown) => [`<secret unreadable: ${(e as Error).message}>`],
        );
        return [
          `secretsmanager:GetSecretValue Region=${B} SecretId=${s.appConfigSecret}  # the first region that answers (then ${A})`,
          `secretsmanager:StopReplicationToReplica Region=${B} SecretId=${s.appConfigSecret}  # only if ${B}'s copy is a replica and its primary's region does not answer`,
          ...[B, A].map(
            (r) =>
              `secretsmanager:PutSecretValue Region=${r} SecretId=${s.appConfigSecret} SecretString={host=${host}, port=${port}, dbClusterId=${s.toCluster}; kept unchanged: ${kept.filter((k) => k !== 'dbClusterId').join(', ') || 'nothing'} (values not shown)}  # skipped if a replica; an unreachable region is tolerated`,
          ),
        ];
      },
      scale: (s) => compute.planScale(s.toRegion, s.targetTasks),
      route: (s) => router.planRouteTo(s.toRegion),
      notify: (s, what) => [
        a.notifyTopicArn
          ? `sns:Publish TopicArn=${a.notifyTopicArn} Subject="${what} complete: ${s.fromRegion} → ${s.toRegion}"`
          : `notify ${notifier.kind}: ${what} complete (no aws.notifyTopicArn: kept in the state dir)`,
      ],
    },
  };
  const base = { appConfigSecret: a.dbEndpointSecret, synchronous: false };
  const aToB: RegionMove = {
    ...base,
    fromRegion: A,
    toRegion: B,
    fromCluster: dbA,
    toCluster: dbB,
    targetTasks: a.failoverTasks,
  };
  // back to A: A at full size again, B back to its warm size
  const bToA: RegionMove = {
    ...base,
    fromRegion: B,
    toRegion: A,
    fromCluster: dbB,
    toCluster: dbA,
    targetTasks: a.failoverTasks,
    sourceTasks: a.warmTasks,
  };
  return {
    regionDatabase: database,
    regionAppSecret: { secrets, format: RDS_SECRET_FORMAT, defaultName: a.dbEndpointSecret },
    router,
    compute,
    regionTopology: {
      ...topology,
      // with a global database the direction is read from who writes now (like the lab reads
      // where the app points): away from the writer's region. Without one: A → B.
      move: async () =>
        g
          ? (await aws.database.primary.globalMembers(g)).find((m) => m.writer)?.clusterId === dbB
            ? bToA
            : aToB
          : aToB,
    },
  };
}
