import { RDS_SECRET_FORMAT } from '../../adapters/app-secret/index.js';
import { EcsCompute, Route53Router, type createAwsAdapters } from '../../adapters/aws/index.js';
import { MultiRegionSecrets } from '../../adapters/aws/multi-region-secrets.js';
import { RegionalRdsDatabase } from '../../adapters/aws/regional-database.js';
import type { DrkitConfig } from '../../config/schema.js';
import { UsageError } from '../../engine/errors.js';
import type { AppSecret } from '../../ports/app-secret.js';
import type { Compute } from '../../ports/compute.js';
import type { Database } from '../../ports/database.js';
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
    async planSourceHealth(s) {
      return [
        ...router.planHealthOf(s.fromRegion),
        `${database.planDescribe(s.fromCluster).join('')}  # healthy = health check up and ${instances ? 'instance' : 'cluster'} available`,
        ...compute.planCounts(s.fromRegion),
      ];
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
