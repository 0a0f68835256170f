import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../adapters/aws/clients.js';
import { createTestHealthCheck } from './moto.js';

/** The break-glass role the world's delete policies exempt. */
export const BREAK_GLASS = 'arn:aws:iam::123456789012:role/break-glass';

/** Seed 000's delete policy on `bucket`: Deny s3:DeleteObjectVersion except to `exempt`. */
export function deletePolicy(bucket: string, exempt: string[] = [BREAK_GLASS]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyVersionDeleteExceptBreakGlass',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteObjectVersion',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': exempt } },
      },
    ],
  });
}

/** The replication rule of `bucket` to `<bucket>-b` (region B). */
export function replicationTo(bucket: string) {
  return {
    Bucket: bucket,
    ReplicationConfiguration: {
      Role: 'arn:aws:iam::123456789012:role/s3-replication',
      Rules: [
        {
          ID: 'to-region-b',
          Status: 'Enabled' as const,
          Priority: 1,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Enabled' as const },
          Destination: { Bucket: `arn:aws:s3:::${bucket}-b` },
        },
      ],
    },
  };
}

/**
 * A healthy deployment as `drkit verify --provider aws` wants it, in moto: Aurora core-a (A,
 * retention 7 days, deletion protection) and its cross-region replica cluster core-b (B) with a
 * snapshot of core-a copied to B and a replica-lag datapoint in CloudWatch (moto publishes none
 * itself); buckets `media` (compliance: Object Lock COMPLIANCE 7 days) and `assets`, both
 * versioned, replicated to `<name>-b` in B, with the delete policy; DynamoDB table `sessions` in
 * both regions with PITR (moto serves no global tables); a Route 53 failover record with health
 * checks; `drkit/db-endpoint` replicated by Secrets Manager, `drkit/db-credentials` copied to B
 * by hand (as the seeds' Lambda does). Returns the `aws` config section.
 */
export async function createPostureWorld(
  clients: AwsClients,
  A: string,
  B: string,
): Promise<Record<string, unknown>> {
  const rdsA = clients.rds(A);
  const core = await rdsA.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'core-a',
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: 'not-a-secret-1',
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
    }),
  );
  await rdsA.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'core-a-1',
      DBClusterIdentifier: 'core-a',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
  await clients.rds(B).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'core-b',
      Engine: 'aurora-postgresql',
      ReplicationSourceIdentifier: core.DBCluster!.DBClusterArn!,
      MasterUsername: 'app',
      MasterUserPassword: 'not-a-secret-1',
    }),
  );
  const snap = await rdsA.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'core-a',
      DBClusterSnapshotIdentifier: 'core-a-nightly',
    }),
  );
  await clients.rds(B).send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: snap.DBClusterSnapshot!.DBClusterSnapshotArn!,
      TargetDBClusterSnapshotIdentifier: 'core-a-nightly-copy',
    }),
  );
  await putReplicaLag(clients, B, 'core-b', 1.5);

  for (const bucket of ['media', 'assets']) {
    const s3 = clients.s3(A);
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: bucket === 'media' }),
    );
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await clients.s3(B).send(
      new CreateBucketCommand({
        Bucket: `${bucket}-b`,
        CreateBucketConfiguration: { LocationConstraint: B as 'us-west-2' },
      }),
    );
    await s3.send(new PutBucketReplicationCommand(replicationTo(bucket)));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: deletePolicy(bucket) }));
  }
  await clients.s3(A).send(
    new PutObjectLockConfigurationCommand({
      Bucket: 'media',
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 } },
      },
    }),
  );

  for (const region of [A, B]) {
    const ddb = clients.dynamodb(region);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'sessions',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await setPitr(clients, region, 'sessions', true);
  }

  const hcA = await createTestHealthCheck(clients, '192.0.2.10');
  const hcB = await createTestHealthCheck(clients, '198.51.100.10');
  const zone = await clients
    .route53()
    .send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'drkit-verify' }));
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  const rec = (id: string, failover: 'PRIMARY' | 'SECONDARY', ip: string, hc: string) => ({
    Action: 'CREATE' as const,
    ResourceRecordSet: {
      Name: 'api.example.com.',
      Type: 'A' as const,
      SetIdentifier: id,
      Failover: failover,
      TTL: 60,
      ResourceRecords: [{ Value: ip }],
      HealthCheckId: hc,
    },
  });
  await clients.route53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [rec(A, 'PRIMARY', '192.0.2.10', hcA), rec(B, 'SECONDARY', '198.51.100.10', hcB)],
      },
    }),
  );

  await clients.secrets(A).send(
    new CreateSecretCommand({
      Name: 'drkit/db-endpoint',
      SecretString: '{"host":"core-a"}',
      AddReplicaRegions: [{ Region: B }],
    }),
  );
  for (const region of [A, B])
    await clients
      .secrets(region)
      .send(new CreateSecretCommand({ Name: 'drkit/db-credentials', SecretString: '{}' }));

  return {
    regionB: B,
    regions: { a: { dbCluster: 'core-a' }, b: { dbCluster: 'core-b' } },
    route53: { hostedZoneId: zoneId, recordName: 'api.example.com.' },
    s3: { buckets: ['assets'], objectLockBuckets: ['media'], breakGlassRoleArn: BREAK_GLASS },
    dynamodb: { tables: ['sessions'] },
  };
}

/** Turns PITR of `table` in `region` on or off. */
export async function setPitr(
  clients: AwsClients,
  region: string,
  table: string,
  on: boolean,
): Promise<void> {
  await clients.dynamodb(region).send(
    new UpdateContinuousBackupsCommand({
      TableName: table,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: on },
    }),
  );
}

/** A replica-lag datapoint (seconds) of `cluster` in CloudWatch, as RDS would publish it. */
export async function putReplicaLag(
  clients: AwsClients,
  region: string,
  cluster: string,
  seconds: number,
): Promise<void> {
  await clients.cloudwatch(region).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [
        {
          MetricName: 'AuroraBinlogReplicaLag',
          Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }],
          Value: seconds,
          Unit: 'Seconds',
        },
      ],
    }),
  );
}
