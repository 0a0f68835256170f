import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  DEFAULT_PORT_REASON,
  postgresSecurityGroup,
  type DbBackupProps,
} from './rds-with-replica.js';

const AURORA_VERSION = rds.AuroraPostgresEngineVersion.VER_16_9;

/** Properties of {@link AuroraGlobalPrimary}. */
export interface AuroraGlobalPrimaryProps {
  /** VPC in A. */
  readonly vpc: ec2.IVpc;
  /** Primary cluster identifier. */
  readonly clusterIdentifier: string;
  /** Global cluster identifier (B's secondary joins it by this name). */
  readonly globalClusterIdentifier: string;
  /** Storage encryption key. */
  readonly encryptionKey: kms.IKey;
  /** Backups. */
  readonly backup: DbBackupProps;
  /** Region the credentials secret is replicated to. */
  readonly replicaRegion: string;
  /** Name of the generated credentials secret. */
  readonly credentialsSecretName: string;
}

/** Aurora PostgreSQL primary cluster in A and the Global Database it heads. */
export class AuroraGlobalPrimary extends Construct {
  /** The primary cluster. */
  readonly cluster: rds.DatabaseCluster;
  /** The global cluster. */
  readonly globalCluster: rds.CfnGlobalCluster;

  constructor(scope: Construct, id: string, props: AuroraGlobalPrimaryProps) {
    super(scope, id);
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      clusterIdentifier: props.clusterIdentifier,
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_VERSION }),
      writer: rds.ClusterInstance.provisioned('Writer', {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
      }),
      readers: [
        rds.ClusterInstance.provisioned('Reader', {
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
        }),
      ],
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [postgresSecurityGroup(this, props.vpc)],
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      backup: {
        retention: Duration.days(props.backup.retentionDays),
        preferredWindow: props.backup.preferredWindow,
      },
      deletionProtection: true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      credentials: rds.Credentials.fromGeneratedSecret('drkit_admin', {
        secretName: props.credentialsSecretName,
        replicaRegions: [{ region: props.replicaRegion }],
      }),
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.globalCluster = new rds.CfnGlobalCluster(this, 'Global', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      sourceDbClusterIdentifier: this.cluster.clusterArn,
      deletionProtection: true,
    });
    NagSuppressions.addResourceSuppressions(
      this,
      [
        { id: 'AwsSolutions-RDS11', reason: DEFAULT_PORT_REASON },
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'The master secret is replicated to B for failover; rotation is a runbook step (security-breach runbook) rather than a rotation Lambda in each region.',
        },
      ],
      true,
    );
  }
}

/** Properties of {@link AuroraGlobalSecondary}. */
export interface AuroraGlobalSecondaryProps {
  /** VPC in B. */
  readonly vpc: ec2.IVpc;
  /** Secondary cluster identifier. */
  readonly clusterIdentifier: string;
  /** Global cluster to join. */
  readonly globalClusterIdentifier: string;
  /** Key in B (cross-region secondaries must name one). */
  readonly encryptionKey: kms.IKey;
  /** Backups. */
  readonly backup: DbBackupProps;
}

/**
 * The secondary cluster in B (one instance, promotable). L1 resources: a secondary cluster must not carry
 * master credentials, which the L2 always sets.
 */
export class AuroraGlobalSecondary extends Construct {
  /** The secondary cluster. */
  readonly cluster: rds.CfnDBCluster;
  /** Its subnet group. */
  readonly subnetGroup: rds.SubnetGroup;
  /** Its security group. */
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: AuroraGlobalSecondaryProps) {
    super(scope, id);
    const subnets = (this.subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: 'drkit Aurora secondary',
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    const sg = (this.securityGroup = postgresSecurityGroup(this, props.vpc));
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: props.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: 'aurora-postgresql',
      engineVersion: AURORA_VERSION.auroraPostgresFullVersion,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroupIds: [sg.securityGroupId],
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      backupRetentionPeriod: props.backup.retentionDays,
      preferredBackupWindow: props.backup.preferredWindow,
      deletionProtection: true,
      enableIamDatabaseAuthentication: true,
      enableCloudwatchLogsExports: ['postgresql'],
      port: 5432,
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    const instance = new rds.CfnDBInstance(this, 'Instance', {
      dbClusterIdentifier: this.cluster.ref,
      dbInstanceClass: 'db.r6g.large',
      engine: 'aurora-postgresql',
      dbSubnetGroupName: subnets.subnetGroupName,
    });
    instance.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    NagSuppressions.addResourceSuppressions(
      this,
      [{ id: 'AwsSolutions-RDS11', reason: DEFAULT_PORT_REASON }],
      true,
    );
  }
}
