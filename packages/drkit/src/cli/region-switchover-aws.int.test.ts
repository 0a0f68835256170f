import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { Journal } from '../engine/journal.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { createSwitchoverWorld, type SwitchoverWorld } from '../testing/rds-world.js';

/**
 * The planned switchover and RB-N-08 cutback with `--provider aws`, through the built CLI
 * against a moto server, in the world of `createSwitchoverWorld` (testing/rds-world.ts): two
 * Aurora Global Databases (one written from region A, one already failed over to region B), a
 * Route 53 failover record, an ECS service and a copy of the DB endpoint secret in each region. moto answers SwitchoverGlobalCluster with HTTP 500 (not
 * implemented), so the real runs are shown up to that call — preflight, scale, freeze — and
 * stopping there cleanly (failed step journaled, nothing after it run, resumable); the
 * request's shape is checked against the SDK's model in rds-database.int.test.ts.
 */
const A = 'us-east-1';
const B = 'us-west-2';
const PASSWORD = 'Sup3r-secret-never-printed-2';
const SECRET = 'drkit/db-endpoint';

let motoCli: MotoCli;
let clients: AwsClients;
let zoneId: string;
/** Written from A: the switchover's starting point. */
let fromA: LabFixture;
/** Failed over to B: the cutback's starting point. */
let fromB: LabFixture;
/** Clusters outside any global database: a planned move is refused. */
let noGlobal: LabFixture;
let world: SwitchoverWorld;

const fixture = (globalClusterId: string | undefined, a: string, b: string): LabFixture =>
  motoCli.fixture(world.config(globalClusterId, a, b));

beforeAll(async () => {
  motoCli = await startMotoCli({ region: A, maxAttempts: 1 });
  ({ clients } = motoCli);
  world = await createSwitchoverWorld(clients, { regionA: A, regionB: B, password: PASSWORD });
  ({ zoneId } = world);
  fromA = fixture('core-global', 'core-a', 'core-b');
  fromB = fixture('after-failover', 'fo-a', 'fo-b');
  noGlobal = fixture(undefined, 'solo-a', 'solo-b');
});
afterAll(() => motoCli?.stop());

/** Everything a switchover may change, read straight from moto. */
async function awsState() {
  const globals = (
    (await clients.rds(A).send(new DescribeGlobalClustersCommand({}))).GlobalClusters ?? []
  ).map((g) => ({
    id: g.GlobalClusterIdentifier,
    members: g.GlobalClusterMembers?.map((m) => [m.DBClusterArn, m.IsWriter]),
  }));
  const clusters = async (region: string) =>
    ((await clients.rds(region).send(new DescribeDBClustersCommand({}))).DBClusters ?? []).map(
      (c) => [c.DBClusterIdentifier, c.Status],
    );
  const service = async (region: string, name: string) =>
    (
      await clients
        .ecs(region)
        .send(new DescribeServicesCommand({ cluster: name, services: ['web'] }))
    ).services?.[0]?.desiredCount;
  const secret = async (region: string) =>
    JSON.parse(
      (await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: SECRET })))
        .SecretString!,
    ) as Record<string, unknown>;
  const records =
    (await clients.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })))
      .ResourceRecordSets ?? [];
  return {
    globals,
    clusters: { [A]: await clusters(A), [B]: await clusters(B) },
    services: { [A]: await service(A, 'app-a'), [B]: await service(B, 'app-b') },
    secrets: { [A]: await secret(A), [B]: await secret(B) } as Record<
      string,
      Record<string, unknown>
    >,
    records: records
      .filter((r) => r.Failover)
      .map((r) => [r.SetIdentifier, r.Failover, r.ResourceRecords?.[0]?.Value]),
  };
}

const run = (fx: LabFixture, id: string, ...extra: string[]) => [
  '--config',
  fx.configFile,
  'runbook',
  'run',
  id,
  '--provider',
  'aws',
  ...extra,
];

describe('switchover --provider aws (Aurora Global Database on moto)', () => {
  it('GIVEN core-a writes WHEN --dry-run THEN A → B with SwitchoverGlobalCluster, each call printed, no password, nothing changed', async () => {
    const before = await awsState();
    const r = await motoCli.run(run(fromA, 'switchover', '--dry-run'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'rds:DescribeGlobalClusters GlobalClusterIdentifier=core-global  # core-a IsWriter, core-b a secondary',
    );
    expect(r.stderr).toContain(
      "rds:SwitchoverGlobalCluster GlobalClusterIdentifier=core-global TargetDbClusterIdentifier=<core-b's ARN>",
    );
    expect(r.stderr).toContain(
      `ecs:UpdateService Region=${B} cluster=app-b service=web desiredCount=3`,
    );
    // both regions' copies of the secret are rewritten (a replica would be skipped)
    for (const region of [B, A])
      expect(r.stderr).toContain(
        `secretsmanager:PutSecretValue Region=${region} SecretId=${SECRET} SecretString={host=core-b.`,
      );
    expect(r.stderr).toContain('rejoin-old-primary');
    expect(r.stderr).toContain('# core-b IsWriter; every 10 s until core-a is a secondary');
    // no PostgreSQL-only step: nothing is stopped, rewound or waited on by LSN
    expect(r.stderr).not.toMatch(/stop-old-primary|wait-standby-caught-up|pg_rewind/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).toContain('nothing was changed');
    expect(await awsState()).toEqual(before);
    expect(Journal.list(fromA.provider.paths.journalDir)).toEqual([]);
  });

  it('GIVEN moto cannot switch a global database over WHEN run with --yes THEN it stops at that call: B scaled, writes frozen in both regions, routing and secret untouched, journal resumable', async () => {
    const before = await awsState();
    const r = await motoCli.run(run(fromA, 'switchover', '--yes'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/switchover-database/);
    expect(r.stderr).toMatch(/rds:SwitchoverGlobalCluster on core-global failed/);
    expect(r.stderr).toMatch(
      /hint: .*writes stay frozen \(global_readonly=true in drkit\/db-endpoint\) and core-a is still the writer: .*drkit runbook resume /,
    );
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    const after = await awsState();
    expect(after.globals).toEqual(before.globals);
    expect(after.records).toEqual(before.records);
    expect(after.services).toEqual({ [A]: 2, [B]: 3 });
    for (const region of [A, B])
      expect(after.secrets[region]).toEqual({ ...before.secrets[region], global_readonly: true });
    const [id] = Journal.list(fromA.provider.paths.journalDir);
    const events = Journal.read(`${fromA.provider.paths.journalDir}/${id!}.jsonl`);
    const ends = events.flatMap((e) => (e.type === 'step-end' ? [[e.step, e.outcome]] : []));
    expect(ends).toEqual([
      ['check-managed-switchover', 'succeeded'],
      ['scale-target-region', 'succeeded'],
      ['freeze-writes', 'succeeded'],
      ['switchover-database', 'failed'],
    ]);
  });
});

describe('rb-n-08 --provider aws (cutback after a managed failover)', () => {
  it('GIVEN fo-b writes (failed over to B) WHEN --dry-run THEN B → A: wait for fo-a as a secondary, switch over to it, B back to its warm size', async () => {
    const before = await awsState();
    const r = await motoCli.run(run(fromB, 'cutback', '--dry-run', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { state: Record<string, unknown> };
    expect(out.state).toMatchObject({
      fromRegion: B,
      toRegion: A,
      fromCluster: 'fo-b',
      toCluster: 'fo-a',
      targetTasks: 3,
      sourceTasks: 1,
      reason: 'cutback after failover',
    });
    expect(r.stderr).toContain('rebuild-target-standby');
    expect(r.stderr).toContain('# fo-b IsWriter; every 10 s until fo-a is a secondary');
    expect(r.stderr).toContain(
      "rds:SwitchoverGlobalCluster GlobalClusterIdentifier=after-failover TargetDbClusterIdentifier=<fo-a's ARN>",
    );
    expect(r.stderr).toContain(`compute(aws-ecs) scale ${B} to 1`);
    expect(await awsState()).toEqual(before);
  });

  it("GIVEN fo-a is already an available secondary WHEN run with --yes THEN the rebuild step passes at once (AWS rebuilt it) and the run stops at moto's missing switchover", async () => {
    const r = await motoCli.run(run(fromB, 'rb-n-08', '--yes', '--json'));
    expect(r.code).not.toBe(0);
    const [id] = Journal.list(fromB.provider.paths.journalDir);
    const events = Journal.read(`${fromB.provider.paths.journalDir}/${id!}.jsonl`);
    const ends = events.flatMap((e) => (e.type === 'step-end' ? [[e.step, e.outcome]] : []));
    expect(ends).toEqual([
      ['rebuild-target-standby', 'succeeded'],
      ['check-managed-switchover', 'succeeded'],
      ['scale-target-region', 'succeeded'],
      ['freeze-writes', 'succeeded'],
      ['switchover-database', 'failed'],
    ]);
    expect(JSON.stringify(events)).toContain('"method":"managed"');
  });
});

describe('drkit switchover | cutback | failover --provider aws', () => {
  it('GIVEN the shorthand commands WHEN --provider aws --dry-run THEN the same registered runbooks and plans as `runbook run`', async () => {
    const before = await awsState();
    const sw = await motoCli.run([
      '--config',
      fromA.configFile,
      'switchover',
      '--provider',
      'aws',
      '--dry-run',
    ]);
    expect(sw.code, sw.stderr).toBe(0);
    expect(sw.stderr).toContain(
      "rds:SwitchoverGlobalCluster GlobalClusterIdentifier=core-global TargetDbClusterIdentifier=<core-b's ARN>",
    );
    const cb = await motoCli.run([
      '--config',
      fromB.configFile,
      'cutback',
      '--provider',
      'aws',
      '--dry-run',
      '--json',
    ]);
    expect(cb.code, cb.stderr).toBe(0);
    expect((JSON.parse(cb.stdout) as { state: Record<string, unknown> }).state).toMatchObject({
      fromCluster: 'fo-b',
      toCluster: 'fo-a',
    });
    const fo = await motoCli.run([
      '--config',
      fromA.configFile,
      'failover',
      '--provider',
      'aws',
      '--force',
      '--dry-run',
      '--json',
    ]);
    expect(fo.code, fo.stderr).toBe(0);
    expect((JSON.parse(fo.stdout) as { state: Record<string, unknown> }).state).toMatchObject({
      force: true,
      fromCluster: 'core-a',
      toCluster: 'core-b',
    });
    expect(fo.stderr).toContain(
      "rds:FailoverGlobalCluster GlobalClusterIdentifier=core-global TargetDbClusterIdentifier=<core-b's ARN> AllowDataLoss=true",
    );
    expect(await awsState()).toEqual(before);
    const det = await motoCli.run([
      '--config',
      fromA.configFile,
      'failover',
      '--provider',
      'aws',
      '--detect',
      '--dry-run',
    ]);
    expect(det.code).toBe(2);
    expect(det.stderr).toContain('on AWS the runbook reads the Route 53 health check itself');
  });
});

describe('planned moves without a global database', () => {
  it('GIVEN no aws.globalClusterId WHEN switchover THEN refused in the first step, naming the key, before anything changes', async () => {
    const before = await awsState();
    const r = await motoCli.run(run(noGlobal, 'switchover', '--yes'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('needs an Aurora Global Database');
    expect(r.stderr).toContain('aws.globalClusterId');
    expect(await awsState()).toEqual(before);
  });

  it('GIVEN clusters that are not members WHEN switchover with a global id THEN refused naming the members', async () => {
    const fx = fixture('core-global', 'solo-a', 'solo-b');
    try {
      const before = await awsState();
      const r = await motoCli.run(run(fx, 'switchover', '--yes'));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/solo-a is not a member of the global database core-global/);
      expect(r.stderr).toContain('core-a');
      expect(await awsState()).toEqual(before);
    } finally {
      await fx.cleanup();
    }
  });
});
