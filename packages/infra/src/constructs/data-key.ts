import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link DataKey}. */
export interface DataKeyProps {
  /** Alias given to the key in its region. */
  readonly aliasName: string;
  /**
   * Make the key a multi-Region primary key.
   * @default false
   */
  readonly multiRegion?: boolean;
  /**
   * ARN of a multi-Region primary key in another region: when set, this construct creates a
   * replica of it (same key id, same key material) instead of a new key.
   * @default - a new key
   */
  readonly replicaOfKeyArn?: string;
}

/**
 * The customer-managed key that encrypts a region's data (RDS, S3, Secrets Manager, DynamoDB).
 * As a multi-Region key, the replica in B shares the primary's key id, so ciphertext and
 * S3 replication need no re-encryption mapping.
 */
export class DataKey extends Construct {
  /** The key (for grants). */
  readonly key: kms.IKey;
  /** The key's ARN. */
  readonly keyArn: string;
  /** The key's id (for an MRK: the same in every region). */
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    if (props.replicaOfKeyArn !== undefined) {
      const replica = new kms.CfnReplicaKey(this, 'Replica', {
        primaryKeyArn: props.replicaOfKeyArn,
        description: 'drkit data key (multi-Region replica)',
        keyPolicy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AccountAdmin',
              principals: [new iam.AccountRootPrincipal()],
              actions: ['kms:*'],
              resources: ['*'],
            }),
          ],
        }).toJSON(),
        pendingWindowInDays: 30,
      });
      replica.applyRemovalPolicy(RemovalPolicy.RETAIN);
      new kms.CfnAlias(this, 'Alias', {
        aliasName: props.aliasName,
        targetKeyId: replica.attrKeyId,
      });
      this.keyArn = replica.attrArn;
      this.keyId = replica.attrKeyId;
      this.key = kms.Key.fromKeyArn(this, 'Imported', replica.attrArn);
      return;
    }
    const key = new kms.Key(this, 'Key', {
      description: 'drkit data key',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      multiRegion: props.multiRegion ?? false,
      removalPolicy: RemovalPolicy.RETAIN,
      alias: props.aliasName,
    });
    this.key = key;
    this.keyArn = key.keyArn;
    this.keyId = key.keyId;
  }
}
