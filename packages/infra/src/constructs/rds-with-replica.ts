import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Backup settings shared by every database construct. */
export interface DbBackupProps {
  /** Automated backup retention (days, 7–35). */
  readonly retentionDays: number;
  /** Daily backup window, UTC `hh:mm-hh:mm`. */
  readonly preferredWindow: string;
}

/** Properties of {@link RdsPostgresPrimary}. */
export interface RdsPostgresPrimaryProps {
  /** VPC (the instance goes to its isolated `data` subnets). */
  readonly vpc: ec2.IVpc;
  /** DB instance identifier (deterministic: B's replica names its source by it). */
  readonly instanceIdentifier: string;
  /** Storage encryption key. */
  readonly encryptionKey: kms.IKey;
  /** Backups. */
  readonly backup: DbBackupProps;
  /** Region the generated credentials secret is replicated to. */
  readonly replicaRegion: string;
  /** Name of the generated credentials secret. */
  readonly credentialsSecretName: string;
  /**
   * Instance class.
   * @default db.t4g.medium
   */
  readonly instanceType?: ec2.InstanceType;
}

/** Engine every PostgreSQL construct in this app uses. */
export const POSTGRES_ENGINE = rds.DatabaseInstanceEngine.postgres({
  version: rds.PostgresEngineVersion.VER_16_9,
});

/** A security group admitting PostgreSQL from inside the VPC only. */
export function postgresSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, 'DbSecurityGroup', {
    vpc,
    description: 'PostgreSQL from the VPC only',
    allowAllOutbound: false,
  });
  sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(5432), 'PostgreSQL from the VPC');
  NagSuppressions.addResourceSuppressions(sg, [
    {
      id: 'CdkNagValidationFailure',
      reason:
        'EC23 cannot evaluate the VPC CIDR token; the rule admits only the VPC CIDR, never 0.0.0.0/0.',
    },
  ]);
  return sg;
}

/** Why every database here keeps port 5432 (cdk-nag RDS11 / EC23 style findings). */
export const DEFAULT_PORT_REASON =
  'PostgreSQL keeps its default port 5432: drkit tooling and the app expect it, and the security group admits only the VPC CIDR, so a non-default port would add no protection.';

/**
 * RDS PostgreSQL primary in A: Multi-AZ, encrypted, deletion-protected, IAM auth, logs exported,
 * automated backups kept `retentionDays` in the given window; credentials generated into a
 * secret replicated to B so the promoted replica can be reached with the same login.
 */
export class RdsPostgresPrimary extends Construct {
  /** The instance. */
  readonly instance: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: RdsPostgresPrimaryProps) {
    super(scope, id);
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      instanceIdentifier: props.instanceIdentifier,
      engine: POSTGRES_ENGINE,
      instanceType:
        props.instanceType ??
        ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [postgresSecurityGroup(this, props.vpc)],
      multiAz: true,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(props.backup.retentionDays),
      preferredBackupWindow: props.backup.preferredWindow,
      deletionProtection: true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      credentials: rds.Credentials.fromGeneratedSecret('drkit_admin', {
        secretName: props.credentialsSecretName,
        replicaRegions: [{ region: props.replicaRegion }],
      }),
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    NagSuppressions.addResourceSuppressions(
      this,
      [
        { id: 'AwsSolutions-RDS11', reason: DEFAULT_PORT_REASON },
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'The master secret is replicated to B for failover; automatic rotation would need a rotation Lambda reachable in both regions. Rotation is a runbook step (security-breach runbook) instead.',
        },
      ],
      true,
    );
  }
}

/** Properties of {@link RdsPostgresReplica}. */
export interface RdsPostgresReplicaProps {
  /** VPC in B. */
  readonly vpc: ec2.IVpc;
  /** Replica's instance identifier. */
  readonly instanceIdentifier: string;
  /** ARN of the source instance in A (cross-region replicas name their source by ARN). */
  readonly sourceInstanceArn: string;
  /** Key in B encrypting the replica. */
  readonly encryptionKey: kms.IKey;
  /**
   * Backups the replica gets once promoted (the failover's PromoteReplica sets the retention;
   * CDK rejects automated backups on PostgreSQL read replicas).
   */
  readonly backup: DbBackupProps;
  /**
   * Instance class.
   * @default db.t4g.medium
   */
  readonly instanceType?: ec2.InstanceType;
}

/** The cross-region read replica in B: the warm copy that failover promotes. */
export class RdsPostgresReplica extends Construct {
  /** The replica. */
  readonly instance: rds.DatabaseInstanceReadReplica;
  /** Its subnet group (also used by a snapshot restore in B). */
  readonly subnetGroup: rds.SubnetGroup;
  /** Its security group (also used by a snapshot restore in B). */
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RdsPostgresReplicaProps) {
    super(scope, id);
    // An imported source only feeds the L2's engine checks; the real source is set below by ARN,
    // because the imported instance's ARN would be formatted in this stack's region (B).
    const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: 'source',
      instanceEndpointAddress: 'source.invalid',
      port: 5432,
      securityGroups: [],
      engine: POSTGRES_ENGINE,
    });
    this.subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: 'drkit replica and snapshot restores in B',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.securityGroup = postgresSecurityGroup(this, props.vpc);
    this.instance = new rds.DatabaseInstanceReadReplica(this, 'Instance', {
      instanceIdentifier: props.instanceIdentifier,
      sourceDatabaseInstance: source,
      instanceType:
        props.instanceType ??
        ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      subnetGroup: this.subnetGroup,
      securityGroups: [this.securityGroup],
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      storageType: rds.StorageType.GP3,
      deletionProtection: true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      multiAz: false,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.sourceDbInstanceIdentifier = props.sourceInstanceArn;
    // A replica inherits encryption from its source (CloudFormation rejects the flag here); the
    // KmsKeyId in B is what a cross-region encrypted replica needs.
    cfn.addPropertyDeletionOverride('StorageEncrypted');
    NagSuppressions.addResourceSuppressions(
      this,
      [
        { id: 'AwsSolutions-RDS11', reason: DEFAULT_PORT_REASON },
        {
          id: 'AwsSolutions-RDS13',
          reason:
            'A read replica has no automated backups of its own here (A holds them, copied nightly to B); promotion sets BackupRetentionPeriod to the configured retention.',
        },
        {
          id: 'AwsSolutions-RDS3',
          reason:
            'Warm standby keeps the replica single-AZ to halve its cost; the failover runbook converts it to Multi-AZ after promotion.',
        },
      ],
      true,
    );
  }
}
