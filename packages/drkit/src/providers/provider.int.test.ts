import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { createDistribution } from '../drills/s3-world.js';
import { Journal } from '../engine/journal.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { dumpVersions } from '../testing/moto.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { sleep } from '../util/net.js';

/**
 * `drkit runbook run … --provider aws` end to end through the built CLI against a moto server
 * started here: RB-N-03 (dry run, then a real restore) and RB-N-02 (dry run and the window
 * guardrail; moto cannot time-travel a restore nor serve SQL, so the real RB-N-02 run is
 * covered on the lab provider, and RdsDatabase's restore by its own moto test).
 */
const bucket = 'media-originals-prod';
const key = (i: number) => `img/${String(i).padStart(2, '0')}.jpg`;

let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let bare: LabFixture;
let distributionId: string;
let T: Date;

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  ({ clients } = motoCli);
  const s3 = clients.s3();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  distributionId = await createDistribution(clients.cloudfront(), bucket);
  for (let i = 0; i < 10; i++)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `good-${i}` }));
  await sleep(1100);
  T = new Date();
  await sleep(1100);
  // the incident: 3 keys deleted, 3 overwritten
  for (let i = 0; i < 3; i++)
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(i) }));
  for (let i = 3; i < 6; i++)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `bad-${i}` }));

  const rds = clients.rds('us-east-1');
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'prod-core-cluster',
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: 'not-a-real-pass-1',
      DatabaseName: 'app',
      BackupRetentionPeriod: 7,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'prod-core-1',
      DBClusterIdentifier: 'prod-core-cluster',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );

  fx = motoCli.fixture();
  bare = motoCli.bareFixture();
});
afterAll(() => motoCli?.stop());

const body = async (k: string): Promise<string | null> => {
  try {
    const out = await clients.s3().send(new GetObjectCommand({ Bucket: bucket, Key: k }));
    return (await out.Body?.transformToString()) ?? '';
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return null;
    throw e;
  }
};

const rbN03 = (...extra: string[]) => [
  '--config',
  fx.configFile,
  'runbook',
  'run',
  'rb-n-03',
  '--param',
  `bucket=${bucket}`,
  '--param',
  'prefix=img/',
  '--param',
  `at=${T.toISOString()}`,
  '--param',
  `distributionId=${distributionId}`,
  ...extra,
];

async function rdsState(): Promise<unknown> {
  const rds = clients.rds('us-east-1');
  const c = await rds.send(new DescribeDBClustersCommand({}));
  const i = await rds.send(new DescribeDBInstancesCommand({}));
  return {
    clusters: (c.DBClusters ?? []).map((x) => [x.DBClusterIdentifier, x.Status]).sort(),
    instances: (i.DBInstances ?? []).map((x) => x.DBInstanceIdentifier).sort(),
  };
}

describe('rb-n-03 --provider aws (moto)', () => {
  it('GIVEN a damaged prefix WHEN --dry-run THEN every S3/CloudFront call is printed with its parameters and nothing changes', async () => {
    const before = await dumpVersions(clients.s3(), bucket);
    const r = await motoCli.run([...rbN03('--provider', 'aws', '--dry-run')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`s3:ListObjectVersions Bucket=${bucket} Prefix=img/ MaxKeys=1000`);
    for (let i = 0; i < 3; i++)
      expect(r.stderr).toMatch(
        new RegExp(
          `s3:DeleteObject Bucket=${bucket} Key=${key(i)} VersionId=\\S+  # remove delete marker`,
        ),
      );
    for (let i = 3; i < 6; i++)
      expect(r.stderr).toMatch(
        new RegExp(
          `s3:CopyObject Bucket=${bucket} Key=${key(i)} CopySource=${bucket}/${key(i).replace('/', '\\/')}\\?versionId=\\S+`,
        ),
      );
    expect(r.stderr).toContain(`CreateInvalidation DistributionId=${distributionId}`);
    expect(r.stdout).toContain('nothing was changed');
    expect(await dumpVersions(clients.s3(), bucket)).toEqual(before);
    const inv = await clients
      .cloudfront()
      .send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    expect(inv.InvalidationList?.Quantity ?? 0).toBe(0);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
  });

  it('GIVEN the lab provider WHEN aws.endpoint is set THEN it binds S3 to that moto server; without it, a capability error naming --provider aws', async () => {
    const before = await dumpVersions(clients.s3(), bucket);
    const lab = await motoCli.run([...rbN03('--provider', 'lab', '--dry-run')]);
    expect(lab.code).toBe(0);
    expect(lab.stderr).toContain(`s3:ListObjectVersions Bucket=${bucket}`);
    expect(await dumpVersions(clients.s3(), bucket)).toEqual(before);
    const none = await motoCli.run([
      '--config',
      bare.configFile,
      'runbook',
      'run',
      's3-restore',
      '--provider',
      'lab',
      '--dry-run',
      '--param',
      `bucket=${bucket}`,
      '--param',
      `at=${T.toISOString()}`,
    ]);
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/lab provider has no object store/);
    expect(none.stderr).toContain('--provider aws');
  });

  it('GIVEN the same prefix WHEN run with --yes THEN every key is back to its state at T and the CDN is purged', async () => {
    const r = await motoCli.run([...rbN03('--provider', 'aws', '--yes')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/succeeded/);
    for (let i = 0; i < 10; i++) expect(await body(key(i))).toBe(`good-${i}`);
    const inv = await clients
      .cloudfront()
      .send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    expect(inv.InvalidationList?.Quantity).toBeGreaterThan(0);
  });
});

describe('rb-n-02 --provider aws (moto)', () => {
  it('GIVEN a cluster WHEN --dry-run target=latest THEN the RDS calls are printed with their parameters and nothing is created', async () => {
    const before = await rdsState();
    const r = await motoCli.run([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--provider',
      'aws',
      '--dry-run',
      '--param',
      'source=prod-core-cluster',
      '--param',
      'target=latest',
      '--param',
      'newClusterId=dr-prod-core',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'rds:DescribeDBClusters DBClusterIdentifier=prod-core-cluster Region=us-east-1',
    );
    expect(r.stderr).toContain(
      'rds:RestoreDBClusterToPointInTime DBClusterIdentifier=dr-prod-core SourceDBClusterIdentifier=prod-core-cluster UseLatestRestorableTime=true',
    );
    expect(r.stderr).toContain(
      'rds:CreateDBInstance DBInstanceIdentifier=dr-prod-core-writer DBClusterIdentifier=dr-prod-core DBInstanceClass=db.serverless',
    );
    expect(r.stderr).toMatch(/notify aws-sns|notify log/);
    // on AWS the app's endpoint secret is aws.dbEndpointSecret (RDS layout), not the lab's drkit/app
    expect(r.stderr).toContain(
      'secrets(aws-secrets-manager) put drkit/db-endpoint: global_readonly=true',
    );
    expect(r.stderr).toContain(
      "put drkit/db-endpoint: host/port -> endpoint of 'dr-prod-core', dbClusterId=dr-prod-core",
    );
    expect(await rdsState()).toEqual(before);
  });

  it('GIVEN a target before the window WHEN --dry-run THEN exit 4 with the window, nothing created', async () => {
    const before = await rdsState();
    const r = await motoCli.run([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--provider',
      'aws',
      '--dry-run',
      '--param',
      'source=prod-core-cluster',
      '--param',
      'target=2001-01-01T00:00:00Z',
      '--param',
      'newClusterId=never-made',
    ]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /outside the recoverable window of prod-core-cluster: \d{4}-\d\d-\d\dT\S+Z \.\. \d{4}-\d\d-\d\dT\S+Z/,
    );
    expect(await rdsState()).toEqual(before);
  });
});
