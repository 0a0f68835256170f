import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { Journal } from '../engine/journal.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { createFailoverWorld, RECORD } from '../testing/rds-world.js';

/**
 * `drkit runbook run rb-n-01 --provider aws` end to end through the built CLI against a moto
 * server, in the world of `createFailoverWorld` (testing/rds-world.ts): region A (us-east-1) has
 * the Aurora cluster, region B (us-west-2) its cross-region replica cluster; a Route 53
 * PRIMARY/SECONDARY failover record with health checks; an ECS service per region; the DB
 * endpoint secret in B; an SNS topic. moto reports every health check healthy and serves no
 * data plane, so the real run needs force=true and its post-checks are journaled as not
 * checked (no aws.appUrl).
 */
const A = 'us-east-1';
const B = 'us-west-2';
const PASSWORD = 'Sup3r-secret-never-printed';

let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
/** The same deployment in dbMode rds-postgres: an instance in A, its cross-region read replica in B. */
let fxRds: LabFixture;
let zoneId: string;

beforeAll(async () => {
  motoCli = await startMotoCli({ region: A, maxAttempts: 1 });
  ({ clients } = motoCli);
  const w = await createFailoverWorld(clients, { regionA: A, regionB: B, password: PASSWORD });
  ({ zoneId } = w);
  fxRds = motoCli.fixture(w.instances);
  fx = motoCli.fixture({ ...w.aurora, notifyTopicArn: w.topicArn });
});
afterAll(() => motoCli?.stop());

/** Everything RB-N-01 may change, read straight from moto. */
async function awsState() {
  const clusters = async (region: string) =>
    ((await clients.rds(region).send(new DescribeDBClustersCommand({}))).DBClusters ?? []).map(
      (c) => ({
        id: c.DBClusterIdentifier,
        status: c.Status,
        source: c.ReplicationSourceIdentifier ?? null,
        writer: c.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier ?? null,
      }),
    );
  const instances = async (region: string) =>
    ((await clients.rds(region).send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map(
      (i) => [i.DBInstanceIdentifier, i.DBInstanceStatus],
    );
  const service = async (region: string, cluster: string) => {
    const s = (
      await clients.ecs(region).send(new DescribeServicesCommand({ cluster, services: ['web'] }))
    ).services?.[0];
    return { desired: s?.desiredCount, running: s?.runningCount };
  };
  const records =
    (await clients.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })))
      .ResourceRecordSets ?? [];
  const secret = JSON.parse(
    (await clients.secrets(B).send(new GetSecretValueCommand({ SecretId: 'drkit/db-endpoint' })))
      .SecretString!,
  ) as Record<string, unknown>;
  return {
    clusters: { [A]: await clusters(A), [B]: await clusters(B) },
    instances: { [A]: await instances(A), [B]: await instances(B) },
    services: { [A]: await service(A, 'app-a'), [B]: await service(B, 'app-b') },
    records: records
      .filter((r) => r.Failover)
      .map((r) => ({
        id: r.SetIdentifier,
        failover: r.Failover,
        value: r.ResourceRecords?.[0]?.Value,
        hc: r.HealthCheckId ?? null,
      })),
    secret,
  };
}

const rbN01 = (...extra: string[]) => [
  '--config',
  fx.configFile,
  'runbook',
  'run',
  'rb-n-01',
  '--provider',
  'aws',
  ...extra,
];

describe('rb-n-01 --provider aws (moto)', () => {
  it('GIVEN both regions WHEN --dry-run THEN each AWS call is printed with its parameters, no password, and nothing changes', async () => {
    const before = await awsState();
    const r = await motoCli.run(rbN01('--dry-run', '--param', 'force=true'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`rds:StopDBCluster Region=${A} DBClusterIdentifier=core-a`);
    expect(r.stderr).toContain(
      `rds:PromoteReadReplicaDBCluster Region=${B} DBClusterIdentifier=core-b`,
    );
    // every region's copy is written; A has none here (only B's app reads one): tolerated
    for (const region of [B, A]) {
      expect(r.stderr).toMatch(
        new RegExp(
          `secretsmanager:PutSecretValue Region=${region} SecretId=drkit/db-endpoint SecretString=\\{host=core-b\\.\\S+, port=5432, dbClusterId=core-b; kept unchanged: engine, username, password, dbname \\(values not shown\\)\\}`,
        ),
      );
    }
    expect(r.stderr).toContain(
      `ecs:UpdateService Region=${B} cluster=app-b service=web desiredCount=3`,
    );
    // the record set of the flip: B's record alone, PRIMARY, and A's deleted
    const flip = r.stderr.split('\n').find((l) => l.includes('route53:ChangeResourceRecordSets'));
    expect(flip).toContain(`HostedZoneId=${zoneId}`);
    const batch = JSON.parse(
      flip!.slice(flip!.indexOf('ChangeBatch=') + 'ChangeBatch='.length),
    ) as {
      Changes: Array<{
        Action: string;
        ResourceRecordSet: { SetIdentifier: string; Failover: string };
      }>;
    };
    expect(
      batch.Changes.map((c) => [
        c.Action,
        c.ResourceRecordSet.SetIdentifier,
        c.ResourceRecordSet.Failover,
      ]),
    ).toEqual([
      ['UPSERT', B, 'PRIMARY'],
      ['DELETE', A, 'PRIMARY'],
    ]);
    expect(r.stderr).toContain('sns:Publish TopicArn=arn:aws:sns:us-east-1:');
    expect(r.stderr).toContain('skipped: no appUrl configured');
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).toContain('nothing was changed');
    expect(await awsState()).toEqual(before);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
  });

  it("GIVEN RDS PostgreSQL instances (dbMode rds-postgres) WHEN --dry-run THEN PromoteReadReplica of B's replica and StopDBInstance of A, nothing changed", async () => {
    const before = await awsState();
    const r = await motoCli.run([
      '--config',
      fxRds.configFile,
      'runbook',
      'run',
      'rb-n-01',
      '--provider',
      'aws',
      '--dry-run',
      '--param',
      'force=true',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `rds:DescribeDBInstances Region=${B} DBInstanceIdentifier=pg-b  # available with a ReadReplicaSourceDBInstanceIdentifier`,
    );
    expect(r.stderr).toContain(`rds:StopDBInstance Region=${A} DBInstanceIdentifier=pg-a`);
    expect(r.stderr).toContain(`rds:PromoteReadReplica Region=${B} DBInstanceIdentifier=pg-b`);
    expect(r.stderr).toMatch(
      new RegExp(
        `secretsmanager:PutSecretValue Region=${B} SecretId=drkit/db-endpoint SecretString=\\{host=pg-b\\.\\S+, port=5432, dbClusterId=pg-b;`,
      ),
    );
    expect(r.stderr).not.toMatch(/DBCluster/);
    expect(await awsState()).toEqual(before);
  });

  it('GIVEN clusters in one region and instances in the other WHEN rb-n-01 THEN a usage error saying to pick one', async () => {
    const mixed = motoCli.fixture({
      regionA: A,
      regionB: B,
      route53: { hostedZoneId: zoneId, recordName: RECORD },
      regions: {
        a: {
          dbCluster: 'core-a',
          ecsCluster: 'app-a',
          ecsService: 'web',
          recordValue: '192.0.2.10',
        },
        b: {
          dbInstance: 'pg-b',
          ecsCluster: 'app-b',
          ecsService: 'web',
          recordValue: '198.51.100.10',
        },
      },
    });
    try {
      const r = await motoCli.run([
        '--config',
        mixed.configFile,
        'runbook',
        'run',
        'rb-n-01',
        '--provider',
        'aws',
        '--dry-run',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('aws.regions name both Aurora clusters and RDS instances');
    } finally {
      await mixed.cleanup();
    }
  });

  it('GIVEN moto reports region A healthy WHEN run without force THEN refused and nothing changes', async () => {
    const before = await awsState();
    const r = await motoCli.run(rbN01('--yes'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /region us-east-1 is healthy \(Route 53 health check of us-east-1: up; cluster core-a: available/,
    );
    expect(r.stderr).toContain('force=true');
    expect(await awsState()).toEqual(before);
  });

  it('GIVEN force=true (moto health checks always pass) WHEN run with --yes THEN B is promoted, the record flipped, B scaled, the secret updated', async () => {
    const r = await motoCli.run(rbN01('--yes', '--param', 'force=true'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/succeeded/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    const after = await awsState();
    expect(after.clusters[B]).toEqual([
      expect.objectContaining({ id: 'core-b', status: 'available', source: null }),
    ]);
    expect(after.clusters[A]).toEqual([
      expect.objectContaining({ id: 'core-a', status: 'stopped' }),
    ]);
    expect(after.records).toEqual([
      { id: B, failover: 'PRIMARY', value: '198.51.100.10', hc: null },
    ]);
    expect(after.services[B]).toEqual({ desired: 3, running: 3 });
    const hostB = (
      await clients.rds(B).send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'core-b' }))
    ).DBClusters![0]!.Endpoint!;
    expect(after.secret).toEqual({
      engine: 'postgres',
      host: hostB,
      port: 5432,
      username: 'app',
      password: PASSWORD,
      dbname: 'app',
      dbClusterId: 'core-b',
    });
    // the post-checks said they did not check, in the journal, rather than passing
    const id = /execution (\S+) succeeded/.exec(r.stdout)![1]!;
    const events = Journal.read(`${fx.provider.paths.journalDir}/${id}.jsonl`);
    expect(JSON.stringify(events)).toContain('skipped: no appUrl configured');
  });

  it('GIVEN the failover already happened WHEN run again THEN it says so, exits 0 and changes nothing', async () => {
    const before = await awsState();
    const dry = await motoCli.run(rbN01('--dry-run', '--param', 'force=true'));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/nothing to do: already failed over to us-west-2/);
    expect(dry.stderr).not.toContain('StopDBCluster');
    const again = await motoCli.run(rbN01('--yes', '--param', 'force=true'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already failed over to us-west-2/);
    expect(again.stderr).not.toMatch(/no usable replica|fence-old-primary/);
    expect(await awsState()).toEqual(before);
  });
});
