import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Properties of {@link LogsBucket}. */
export interface LogsBucketProps {
  /** Physical bucket name. */
  readonly bucketName: string;
  /**
   * Days before log objects expire.
   * @default 365
   */
  readonly expireAfterDays?: number;
}

/**
 * Destination of S3 server access logs, ALB access logs and CloudFront logs. SSE-S3, because ALB
 * log delivery does not support SSE-KMS; ACLs enabled (owner preferred) for CloudFront delivery.
 */
export class LogsBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LogsBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(props.expireAfterDays ?? 365),
          noncurrentVersionExpiration: Duration.days(30),
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log destination itself; logging it into itself would loop.',
      },
    ]);
  }
}
