import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { AppDataBucket } from '../constructs/app-data-bucket.js';
import type { DataKey } from '../constructs/data-key.js';
import { LogsBucket } from '../constructs/logs-bucket.js';
import { drNames } from '../names.js';

/** Properties of {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` (A: replication source, DynamoDB) or `secondary` (B: destination, backup vault). */
  readonly role: 'primary' | 'secondary';
  /** This region's data key. */
  readonly dataKey: DataKey;
  /**
   * ARN of B's data key (destination of S3 replication); for the primary only.
   * @default - none
   */
  readonly secondaryKeyArn?: string;
}

/** Object storage (app-data, logs, compliance), DynamoDB, and in B the backup vault for copies. */
export class StorageStack extends Stack {
  /** The region's logs bucket (ALB, S3 and CloudFront access logs). */
  readonly logsBucket: s3.Bucket;
  /** The region's app-data bucket. */
  readonly appDataBucket: s3.Bucket;
  /** The role allowed to delete object versions (break glass). */
  readonly breakGlassRole: iam.Role;
  /** The key-value table (A only). */
  readonly table?: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    const key = props.dataKey.key;

    this.logsBucket = new LogsBucket(this, 'Logs', {
      bucketName: names.logsBucket(this.region),
    }).bucket;
    this.breakGlassRole = new iam.Role(this, 'BreakGlassRole', {
      roleName: `drkit-break-glass-${this.region}`,
      description:
        'Break-glass: the only principal allowed to delete S3 object versions. MFA required.',
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      maxSessionDuration: Duration.hours(1),
    });

    let replication;
    if (props.role === 'primary') {
      if (!props.secondaryKeyArn)
        throw new Error('StorageStack: the primary needs secondaryKeyArn');
      replication = {
        destination: s3.Bucket.fromBucketAttributes(this, 'ReplicaBucket', {
          bucketName: names.appDataBucket(ctx.regionB),
          region: ctx.regionB,
        }),
        destinationKey: kms.Key.fromKeyArn(this, 'ReplicaKey', props.secondaryKeyArn),
        prefix: 'app-data/',
        replicateDeletes: ctx.s3ReplicateDeletes,
      };
    }
    this.appDataBucket = new AppDataBucket(this, 'AppData', {
      bucketName: names.appDataBucket(this.region),
      encryptionKey: key,
      accessLogsBucket: this.logsBucket,
      breakGlassRole: this.breakGlassRole,
      ...(replication ? { replication } : {}),
    }).bucket;

    new s3.Bucket(this, 'ComplianceBucket', {
      bucketName: names.complianceBucket(this.region),
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(ctx.objectLockDays),
      ),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: `s3/${names.complianceBucket(this.region)}/`,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.role === 'primary') {
      this.table = new dynamodb.TableV2(this, 'Table', {
        tableName: names.tableName,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(
          key,
          ctx.dynamoGlobalTable ? { [ctx.regionB]: props.secondaryKeyArn! } : undefined,
        ),
        replicas: ctx.dynamoGlobalTable ? [{ region: ctx.regionB }] : [],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    } else {
      // Receives the nightly copies of A's database backups (AWS Backup copy action).
      new backup.BackupVault(this, 'DrVault', {
        backupVaultName: names.backupVaultName,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
