import { EcsCompute, Route53Router, type createAwsAdapters } from '../adapters/aws/index.js';
import { RegionalRdsDatabase } from '../adapters/aws/regional-database.js';
import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import type { Notifier } from '../ports/notifier.js';
import type { RegionDeps, RegionParams } from '../runbooks/region-failover/context.js';
import { runSmokeChecks } from '../validate/smoke.js';

/** The region runbooks' ports and default parameters, as a provider binds them. */
export interface RegionBinding {
  readonly deps: RegionDeps;
  /** Parameters from config; `--param` values override them. */
  readonly defaults: Partial<RegionParams>;
}

/** Config keys RB-N-01 needs on AWS that are not set (dotted paths). */
export function missingRegionKeys(a: DrkitConfig['aws']): string[] {
  const missing: string[] = [];
  if (!a.route53) missing.push('aws.route53.hostedZoneId', 'aws.route53.recordName');
  for (const r of ['a', 'b'] as const) {
    for (const k of ['dbCluster', 'ecsCluster', 'ecsService', 'recordValue'] as const) if (!a.regions[r][k]) missing.push(`aws.regions.${r}.${k}`);
  }
  return missing;
}

/**
 * Binds RB-N-01 on AWS: Aurora clusters of both regions (promote B's cross-region replica
 * cluster, stop A's when reachable), the Route 53 failover record, the ECS service of each
 * region, the DB endpoint secret in region B, and `aws.appUrl` for the post-checks.
 * @throws UsageError naming every missing config key
 */
export function bindAwsRegions(
  config: DrkitConfig,
  aws: ReturnType<typeof createAwsAdapters>,
  notifier: Notifier,
  connect: RegionDeps['connect'],
): RegionBinding {
  const a = config.aws;
  const missing = missingRegionKeys(a);
  if (missing.length || !a.route53) {
    throw new UsageError(`rb-n-01 on --provider aws needs config keys that are not set: ${missing.join(', ')}`, {
      hint: 'set them in drkit.config.yaml under aws: (route53: {hostedZoneId, recordName}, regions: {a: {dbCluster, ecsCluster, ecsService, recordValue, healthCheckId}, b: {…}})',
    });
  }
  const [A, B] = [a.regionA, a.regionB];
  const ra = a.regions.a;
  const rb = a.regions.b;
  const r53 = a.route53;
  const database = new RegionalRdsDatabase({
    byRegion: { [A]: aws.database.primary, [B]: aws.database.secondary },
    clusters: { [ra.dbCluster!]: A, [rb.dbCluster!]: B },
  });
  const router = new Route53Router({
    clients: aws.clients,
    hostedZoneId: r53.hostedZoneId,
    recordName: r53.recordName,
    recordType: r53.recordType,
    ttl: r53.ttl,
    primaryRegion: A,
    targets: [
      { region: A, value: ra.recordValue!, ...(ra.setIdentifier ? { setIdentifier: ra.setIdentifier } : {}), ...(ra.healthCheckId ? { healthCheckId: ra.healthCheckId } : {}) },
      { region: B, value: rb.recordValue!, ...(rb.setIdentifier ? { setIdentifier: rb.setIdentifier } : {}), ...(rb.healthCheckId ? { healthCheckId: rb.healthCheckId } : {}) },
    ],
  });
  const compute = new EcsCompute({
    clients: aws.clients,
    services: { [A]: { cluster: ra.ecsCluster!, service: ra.ecsService! }, [B]: { cluster: rb.ecsCluster!, service: rb.ecsService! } },
  });
  // the app in region B reads its endpoint from region B's copy of the secret
  const secrets = aws.secrets.secondary;
  const healthCheckOf = (region: string) => (region === A ? ra.healthCheckId : region === B ? rb.healthCheckId : undefined);
  const ecsOf = (region: string) => (region === A ? ra : rb);
  const deps: RegionDeps = {
    database,
    secrets,
    notifier,
    router,
    compute,
    ...(a.appUrl ? { frontDoorUrl: a.appUrl.replace(/\/$/, '') } : {}),
    connect,
    smoke: runSmokeChecks,
    async sourceHealth(s) {
      // Route 53's checkers probe the region's endpoint (the data plane) from outside; the
      // cluster's status is the control plane's view. Either one down counts as down.
      const st = await router.status();
      const r53 = st.targets.find((t) => t.region === s.fromRegion)?.health ?? 'unchecked';
      const db = await database.describe(s.fromCluster).then((d) => d.status, (e: unknown) => `unreachable (${(e as Error).message})`);
      const ecs = await compute.counts(s.fromRegion).then((c) => `desired ${c.desired}, running ${c.running}`, (e: unknown) => `unreachable (${(e as Error).message})`);
      const healthy = r53 !== 'down' && db === 'available';
      return { healthy, detail: `Route 53 health check of ${s.fromRegion}: ${r53}; cluster ${s.fromCluster}: ${db}; ECS service in ${s.fromRegion}: ${ecs}` };
    },
    dbSecret: {
      update: (name, ep) => secrets.updateEndpoint(name, { host: ep.host, port: ep.port }),
      host: async (name) => {
        const v = await secrets.get(name);
        return typeof v.host === 'string' ? v.host : undefined;
      },
    },
    plans: {
      health: (s) => [
        `route53:ListResourceRecordSets HostedZoneId=${r53.hostedZoneId} StartRecordName=${r53.recordName}`,
        ...(healthCheckOf(s.fromRegion) ? [`route53:GetHealthCheckStatus HealthCheckId=${healthCheckOf(s.fromRegion)}`] : [`(no Route 53 health check configured for ${s.fromRegion}: aws.regions.a.healthCheckId)`]),
        `rds:DescribeDBClusters Region=${s.fromRegion} DBClusterIdentifier=${s.fromCluster}  # healthy = health check up and cluster available`,
        `ecs:DescribeServices Region=${s.fromRegion} cluster=${ecsOf(s.fromRegion).ecsCluster} services=${ecsOf(s.fromRegion).ecsService}`,
      ],
      decide: (s) => [`rds:DescribeDBClusters Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}  # available with a ReplicationSourceIdentifier`],
      fence: (s) => [
        `rds:DescribeDBClusters Region=${s.fromRegion} DBClusterIdentifier=${s.fromCluster}`,
        `rds:StopDBCluster Region=${s.fromRegion} DBClusterIdentifier=${s.fromCluster}  # when reachable and not stopped; an unreachable region is noted and the failover goes on`,
      ],
      promote: (s) => [
        `rds:PromoteReadReplicaDBCluster Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}`,
        `rds:wait db-cluster-available DBClusterIdentifier=${s.toCluster}`,
        `rds:DescribeDBClusters Region=${s.toRegion} DBClusterIdentifier=${s.toCluster}  # must have a writer and no replication source`,
      ],
      secret: async (s) => {
        // read-only: shows the endpoint that will be written and which fields are kept, by
        // name only (the secret holds the password)
        const ep = await database.describe(s.toCluster).then((d) => `${d.endpoint.host}:${d.endpoint.port}`, () => `<${s.toCluster}'s endpoint>`);
        const [host, port] = [ep.slice(0, ep.lastIndexOf(':')), ep.slice(ep.lastIndexOf(':') + 1)];
        const kept = await secrets.get(s.appConfigSecret).then(
          (v) => Object.keys(v).filter((k) => k !== 'host' && k !== 'port'),
          (e: unknown) => [`<secret unreadable: ${(e as Error).message}>`],
        );
        return [
          `secretsmanager:GetSecretValue Region=${s.toRegion} SecretId=${s.appConfigSecret}`,
          `secretsmanager:PutSecretValue Region=${s.toRegion} SecretId=${s.appConfigSecret} SecretString={host=${host}, port=${port}; kept unchanged: ${kept.join(', ') || 'nothing'} (values not shown)}`,
        ];
      },
      scale: (s) => compute.planScale(s.toRegion, s.targetTasks),
      route: (s) => router.planRouteTo(s.toRegion),
      notify: (s) => [
        a.notifyTopicArn
          ? `sns:Publish TopicArn=${a.notifyTopicArn} Subject="RB-N-01 regional failover complete: ${s.fromRegion} → ${s.toRegion}"`
          : `notify ${notifier.kind}: RB-N-01 regional failover complete (no aws.notifyTopicArn: kept in the state dir)`,
      ],
    },
  };
  return {
    deps,
    defaults: {
      fromRegion: A,
      toRegion: B,
      fromCluster: ra.dbCluster!,
      toCluster: rb.dbCluster!,
      targetTasks: a.failoverTasks,
      appConfigSecret: a.dbEndpointSecret,
      synchronous: false,
      reason: 'regional failover',
      trigger: 'manual',
    },
  };
}
