import {
  CopyDBSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  ModifyDBClusterCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeleteBucketReplicationCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { ConfigSchema, type DrkitConfig } from '../../config/schema.js';
import { DrError } from '../../engine/errors.js';
import { posturePolicy } from '../../lab/verify.js';
import type { PostureCheck } from '../../ports/posture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import {
  BREAK_GLASS,
  createPostureWorld,
  deletePolicy,
  replicationTo,
  setPitr,
} from '../../testing/posture-world.js';
import { verifyAws } from './verify.js';

/**
 * `verifyAws` against moto, in the healthy world of testing/posture-world.ts, then with one
 * fault planted at a time (and repaired after): each fails the right check with the right
 * reason, and only that one. moto serves no DynamoDB global tables: the replica check is a
 * warn ("not checked"), never a pass.
 */
const A = 'us-east-1';
const B = 'us-west-2';
let motoCli: MotoCli;
let clients: AwsClients;
let config: DrkitConfig;

beforeAll(async () => {
  motoCli = await startMotoCli({ region: A, processEnv: true });
  ({ clients } = motoCli);
  const aws = await createPostureWorld(clients, A, B);
  config = ConfigSchema.parse({ aws: { endpoint: motoCli.moto.endpoint, regionA: A, ...aws } });
});
afterAll(() => motoCli?.stop());

const run = () => verifyAws(config, posturePolicy(config));
const statuses = (checks: PostureCheck[]) =>
  checks.map((c) => `${c.status} ${c.id} ${c.subject}`).sort();
const failed = (checks: PostureCheck[]) => checks.filter((c) => c.status === 'fail');

describe('verifyAws (moto)', () => {
  it('GIVEN the healthy world WHEN verified THEN every check passes but the global-table replica moto cannot show', async () => {
    const checks = await run();
    expect(statuses(checks)).toEqual(
      [
        `pass rds.backup-retention cluster core-a (${A})`,
        `pass rds.restorable-lag cluster core-a (${A})`,
        `pass rds.deletion-protection cluster core-a (${A})`,
        `pass rds.snapshot-copy cluster core-a → ${B}`,
        `pass rds.replica cluster core-b (${B})`,
        `pass rds.replica-lag cluster core-b (${B})`,
        ...['assets', 'media'].flatMap((b) =>
          ['versioning', 'replication', 'object-lock', 'delete-policy'].map(
            (k) => `pass s3.${k} bucket ${b}`,
          ),
        ),
        `pass dynamodb.pitr table sessions (${A})`,
        `pass dynamodb.pitr table sessions (${B})`,
        `warn dynamodb.replica table sessions → ${B}`,
        'pass route53.primary record api.example.com. A (zone ' +
          config.aws.route53!.hostedZoneId +
          ')',
        'pass route53.secondary record api.example.com. A (zone ' +
          config.aws.route53!.hostedZoneId +
          ')',
        `pass secrets.replica secret drkit/db-endpoint → ${B}`,
        `pass secrets.replica secret drkit/db-credentials → ${B}`,
      ].sort(),
    );
    const by = (id: string, subject?: string) =>
      checks.find((c) => c.id === id && (!subject || c.subject.includes(subject)))!;
    expect(by('rds.backup-retention').value).toBe('7 days');
    expect(by('rds.snapshot-copy').value).toMatch(/^newest core-a-nightly-copy \d+\.\d s old/);
    expect(by('rds.replica-lag').value).toContain('AuroraBinlogReplicaLag max 1.50 s');
    expect(by('s3.object-lock', 'media').value).toBe('enabled, default COMPLIANCE 7 days');
    expect(by('s3.object-lock', 'assets').reason).toContain('not required');
    expect(by('s3.delete-policy', 'media').value).toContain(`except to ${BREAK_GLASS}`);
    expect(by('s3.replication', 'media').value).toContain(`media-b (${B})`);
    expect(by('dynamodb.replica').reason).toMatch(/^not checked: .*DescribeGlobalTable failed/);
    expect(by('secrets.replica', 'db-endpoint').value).toContain('InSync');
    expect(by('secrets.replica', 'db-credentials').value).toContain(
      'no Secrets Manager replication',
    );
  });

  it('GIVEN versioning suspended on a bucket WHEN verified THEN s3.versioning fails for it alone, saying suspended', async () => {
    const s3 = clients.s3(A);
    const set = (Status: 'Enabled' | 'Suspended') =>
      s3.send(
        new PutBucketVersioningCommand({ Bucket: 'assets', VersioningConfiguration: { Status } }),
      );
    await set('Suspended');
    try {
      const f = failed(await run());
      expect(f.map((c) => `${c.id} ${c.subject}`)).toEqual(['s3.versioning bucket assets']);
      expect(f[0]!.value).toBe('Suspended');
      expect(f[0]!.reason).toContain('versioning suspended');
    } finally {
      await set('Enabled');
    }
  });

  it('GIVEN the replication rule removed WHEN verified THEN s3.replication fails: no replication rule', async () => {
    const s3 = clients.s3(A);
    await s3.send(new DeleteBucketReplicationCommand({ Bucket: 'media' }));
    try {
      const f = failed(await run());
      expect(f.map((c) => `${c.id} ${c.subject}`)).toEqual(['s3.replication bucket media']);
      expect(f[0]!.value).toBe('no replication rule');
      expect(f[0]!.reason).toContain(`nothing is copied to ${B}`);
    } finally {
      await s3.send(new PutBucketReplicationCommand(replicationTo('media')));
    }
  });

  it('GIVEN a delete policy that also exempts another role WHEN verified THEN s3.delete-policy fails naming it', async () => {
    const s3 = clients.s3(A);
    const other = 'arn:aws:iam::123456789012:role/ci-deployer';
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'assets',
        Policy: deletePolicy('assets', [BREAK_GLASS, other]),
      }),
    );
    try {
      const f = failed(await run());
      expect(f.map((c) => `${c.id} ${c.subject}`)).toEqual(['s3.delete-policy bucket assets']);
      expect(f[0]!.reason).toBe(`exempts more than the break-glass role ${BREAK_GLASS}: ${other}`);
    } finally {
      await s3.send(
        new PutBucketPolicyCommand({ Bucket: 'assets', Policy: deletePolicy('assets') }),
      );
    }
  });

  it('GIVEN DynamoDB PITR off in region B WHEN verified THEN dynamodb.pitr fails for B and passes for A', async () => {
    await setPitr(clients, B, 'sessions', false);
    try {
      const checks = await run();
      const f = failed(checks);
      expect(f.map((c) => `${c.id} ${c.subject}`)).toEqual([`dynamodb.pitr table sessions (${B})`]);
      expect(f[0]!.value).toBe('PITR DISABLED');
      expect(f[0]!.reason).toContain(`PITR off in ${B}`);
      expect(checks.find((c) => c.subject === `table sessions (${A})`)?.status).toBe('pass');
    } finally {
      await setPitr(clients, B, 'sessions', true);
    }
  });

  it('GIVEN a 1-day backup retention and deletion protection off WHEN verified THEN both RDS checks fail with the value seen', async () => {
    const modify = (BackupRetentionPeriod: number, DeletionProtection: boolean) =>
      clients.rds(A).send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: 'core-a',
          BackupRetentionPeriod,
          DeletionProtection,
          ApplyImmediately: true,
        }),
      );
    await modify(1, false);
    try {
      const f = failed(await run());
      expect(f.map((c) => [c.id, c.value])).toEqual([
        ['rds.backup-retention', '1 day'],
        ['rds.deletion-protection', 'off'],
      ]);
      expect(f[0]!.reason).toContain('at least 7 days');
    } finally {
      await modify(7, true);
    }
  });

  it('GIVEN a DynamoDB table missing in region B WHEN verified THEN dynamodb.replica and B’s PITR fail', async () => {
    const cfg = ConfigSchema.parse({
      aws: { ...config.aws, dynamodb: { tables: ['only-in-a'] } },
    });
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    await clients.dynamodb(A).send(
      new CreateTableCommand({
        TableName: 'only-in-a',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await setPitr(clients, A, 'only-in-a', true);
    const f = failed(await verifyAws(cfg, posturePolicy(cfg)));
    expect(f.map((c) => `${c.id} ${c.subject}: ${c.value}`)).toEqual([
      `dynamodb.pitr table only-in-a (${B}): could not be read`,
      `dynamodb.replica table only-in-a → ${B}: no table only-in-a in ${B}`,
    ]);
  });

  it('GIVEN an endpoint where nothing listens WHEN verified THEN one clear EXTERNAL error names the endpoint', async () => {
    const dead = ConfigSchema.parse({ aws: { ...config.aws, endpoint: 'http://127.0.0.1:9' } });
    const err = await verifyAws(dead, posturePolicy(dead), { maxAttempts: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DrError);
    expect((err as DrError).code).toBe('EXTERNAL');
    expect((err as DrError).message).toMatch(
      new RegExp(`^AWS is unreachable in ${A} \\(http://127\\.0\\.0\\.1:9\\): .*ECONNREFUSED`),
    );
    expect((err as DrError).hint).toContain('nothing answers at aws.endpoint http://127.0.0.1:9');
  });

  it('GIVEN the PRIMARY failover record without its health check WHEN verified THEN route53.primary fails: no automatic failover', async () => {
    const zone = config.aws.route53!.hostedZoneId;
    const upsert = (HealthCheckId?: string) =>
      clients.route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone,
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'api.example.com.',
                  Type: 'A',
                  SetIdentifier: A,
                  Failover: 'PRIMARY',
                  TTL: 60,
                  ResourceRecords: [{ Value: '192.0.2.10' }],
                  ...(HealthCheckId ? { HealthCheckId } : {}),
                },
              },
            ],
          },
        }),
      );
    const before = (await run()).find((c) => c.id === 'route53.primary')!;
    const hc = /health check (\S+)/.exec(before.value)![1]!;
    await upsert();
    try {
      const f = failed(await run());
      expect(f.map((c) => [c.id, c.value])).toEqual([
        ['route53.primary', `${A} → 192.0.2.10, no health check`],
      ]);
      expect(f[0]!.reason).toContain('no automatic failover');
    } finally {
      await upsert(hc);
    }
  });

  it('GIVEN A’s copy of a hand-copied secret changed after B’s WHEN verified THEN secrets.replica fails: the update did not reach B', async () => {
    // moto keeps LastChangedDate to the second
    await new Promise((r) => setTimeout(r, 1100));
    await clients
      .secrets(A)
      .send(
        new PutSecretValueCommand({ SecretId: 'drkit/db-credentials', SecretString: '{"v":2}' }),
      );
    try {
      const f = failed(await run());
      expect(f.map((c) => `${c.id} ${c.subject}`)).toEqual([
        `secrets.replica secret drkit/db-credentials → ${B}`,
      ]);
      expect(f[0]!.reason).toBe(
        `${A} changed after ${B}'s copy: the last update did not reach ${B}`,
      );
    } finally {
      await new Promise((r) => setTimeout(r, 1100));
      await clients
        .secrets(B)
        .send(
          new PutSecretValueCommand({ SecretId: 'drkit/db-credentials', SecretString: '{"v":2}' }),
        );
    }
    expect(failed(await run())).toEqual([]);
  });

  it('GIVEN a snapshot copy older than posture.maxBackupAgeHours WHEN verified THEN rds.snapshot-copy fails with its age', async () => {
    // moto cannot age a snapshot: the policy is made shorter than the copy's age instead
    const strict = ConfigSchema.parse({
      aws: config.aws,
      posture: { maxBackupAgeHours: 1 / 3600 },
    });
    await new Promise((r) => setTimeout(r, 1100));
    const f = failed(await verifyAws(strict, posturePolicy(strict)));
    expect(f.map((c) => c.id)).toEqual(['rds.snapshot-copy']);
    expect(f[0]!.value).toMatch(/^newest core-a-nightly-copy \d+\.\d s old \(1 in us-west-2\)$/);
    expect(f[0]!.reason).toContain('at most 0.0002777777777777778 h old');
  });

  it('GIVEN RDS PostgreSQL instances (pg-a → its read replica pg-b) and no CloudWatch lag datapoint WHEN verified THEN the replica passes and its lag is a warn, not checked', async () => {
    const rdsA = clients.rds(A);
    const pgA = await rdsA.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'pg-a',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-secret-1',
        AllocatedStorage: 20,
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
      }),
    );
    await clients.rds(B).send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'pg-b',
        SourceDBInstanceIdentifier: pgA.DBInstance!.DBInstanceArn!,
      }),
    );
    const snap = await rdsA.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: 'pg-a',
        DBSnapshotIdentifier: 'pg-a-nightly',
      }),
    );
    await clients.rds(B).send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: snap.DBSnapshot!.DBSnapshotArn!,
        TargetDBSnapshotIdentifier: 'pg-a-nightly-copy',
      }),
    );
    const cfg = ConfigSchema.parse({
      aws: { ...config.aws, regions: { a: { dbInstance: 'pg-a' }, b: { dbInstance: 'pg-b' } } },
    });
    const rds = (await verifyAws(cfg, posturePolicy(cfg))).filter((c) => c.id.startsWith('rds.'));
    expect(rds.map((c) => `${c.status} ${c.id} ${c.subject}`)).toEqual([
      `pass rds.backup-retention instance pg-a (${A})`,
      `pass rds.restorable-lag instance pg-a (${A})`,
      `pass rds.deletion-protection instance pg-a (${A})`,
      `pass rds.snapshot-copy instance pg-a → ${B}`,
      `pass rds.replica instance pg-b (${B})`,
      `warn rds.replica-lag instance pg-b (${B})`,
    ]);
    expect(rds.at(-1)!.reason).toMatch(/^not checked: no ReplicaLag datapoint in the last 10 min/);
  });

  it('GIVEN an Aurora Global Database (core-a + secondary core-g) with a lag datapoint WHEN verified THEN both are members and the lag is judged in ms → s', async () => {
    await clients.rds(A).send(
      new CreateGlobalClusterCommand({
        GlobalClusterIdentifier: 'core-global',
        SourceDBClusterIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster:core-a',
      }),
    );
    await clients.rds(B).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'core-g',
        Engine: 'aurora-postgresql',
        GlobalClusterIdentifier: 'core-global',
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-secret-1',
      }),
    );
    await clients.cloudwatch(B).send(
      new PutMetricDataCommand({
        Namespace: 'AWS/RDS',
        MetricData: [
          {
            MetricName: 'AuroraGlobalDBReplicationLag',
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'core-g' }],
            Value: 450_000,
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    const cfg = ConfigSchema.parse({
      aws: {
        ...config.aws,
        globalClusterId: 'core-global',
        regions: { a: { dbCluster: 'core-a' }, b: { dbCluster: 'core-g' } },
      },
    });
    const checks = await verifyAws(cfg, posturePolicy(cfg));
    const g = checks.find((c) => c.id === 'rds.global-cluster')!;
    expect(g.status).toBe('pass');
    expect(g.value).toMatch(/^members: core-a.*, core-g/);
    // 450 s over the 300 s RPO target
    const lag = checks.find((c) => c.id === 'rds.replica-lag')!;
    expect([lag.status, lag.value], lag.reason).toEqual([
      'fail',
      'AuroraGlobalDBReplicationLag max 450.00 s over the last 10 min (1 datapoints)',
    ]);
  });
});
