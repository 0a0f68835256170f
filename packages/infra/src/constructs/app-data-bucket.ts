import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Where and how the bucket replicates (set on the primary's bucket only). */
export interface BucketReplicationTarget {
  /** The destination bucket (in region B). */
  readonly destination: s3.IBucket;
  /** The destination region's key: replicas are re-encrypted with it. */
  readonly destinationKey: kms.IKey;
  /** Only keys under this prefix replicate. */
  readonly prefix: string;
  /** Replicate delete markers too. */
  readonly replicateDeletes: boolean;
}

/** Properties of {@link AppDataBucket}. */
export interface AppDataBucketProps {
  /** Physical bucket name (deterministic, so the other region can refer to it). */
  readonly bucketName: string;
  /** Key for SSE-KMS. */
  readonly encryptionKey: kms.IKey;
  /** Bucket receiving the server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Role allowed to delete object versions; everyone else is denied. */
  readonly breakGlassRole: iam.IRole;
  /**
   * Cross-region replication from this bucket.
   * @default - no replication (the destination side)
   */
  readonly replication?: BucketReplicationTarget;
}

/**
 * The application's object store: versioned, SSE-KMS, tiered (IA at 30 days, Glacier Deep Archive
 * at 90), old versions kept 90 days, and a policy that denies `s3:DeleteObjectVersion` to every
 * principal but the break-glass role, so ransomware holding app credentials cannot purge history.
 */
export class AppDataBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AppDataBucketProps) {
    super(scope, id);
    const rep = props.replication;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `s3/${props.bucketName}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'tiering-and-noncurrent-expiry',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(90) },
          ],
          noncurrentVersionExpiration: Duration.days(90),
        },
      ],
      ...(rep
        ? {
            replicationRules: [
              {
                id: 'app-data-to-secondary',
                destination: rep.destination,
                kmsKey: rep.destinationKey,
                filter: { prefix: rep.prefix },
                deleteMarkerReplication: rep.replicateDeletes,
                sseKmsEncryptedObjects: true,
                // Metrics feed the dashboard's replication bytes/backlog widgets.
                metrics: s3.ReplicationTimeValue.FIFTEEN_MINUTES,
                priority: 0,
              },
            ],
          }
        : {}),
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyVersionDeleteExceptBreakGlass',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.breakGlassRole.roleArn } },
      }),
    );
    if (rep) {
      NagSuppressions.addResourceSuppressions(
        this.bucket,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'The replication role CDK generates reads every object version of the source bucket and writes replicas under the destination bucket: object-level wildcards are inherent to S3 replication.',
          },
        ],
        true,
      );
    }
  }
}
