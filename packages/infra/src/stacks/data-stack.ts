import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { AuroraGlobalPrimary, AuroraGlobalSecondary } from '../constructs/aurora-global.js';
import type { DataKey } from '../constructs/data-key.js';
import { RdsPostgresPrimary, RdsPostgresReplica } from '../constructs/rds-with-replica.js';
import { dbInstanceArn, drNames } from '../names.js';

/** Properties of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` (A) or `secondary` (B). */
  readonly role: 'primary' | 'secondary';
  /** The region's VPC. */
  readonly vpc: ec2.IVpc;
  /** The region's data key. */
  readonly dataKey: DataKey;
  /**
   * B's data key ARN (the endpoint secret's replica is encrypted with it); primary only.
   * @default - the replica uses the AWS managed key
   */
  readonly secondaryKeyArn?: string;
}

/**
 * The database tier by `dbMode`, its backups, and the DB-endpoint secret (A, replicated to B)
 * and app-config parameter (both regions) the failover rewrites.
 */
export class DataStack extends Stack {
  /** Host name of this region's database endpoint. */
  readonly endpointAddress: string;
  /** Identifier of the DB instance (rds-postgres) or cluster (aurora-global) in this region. */
  readonly dbIdentifier: string;
  /** B only: subnet group and security group a snapshot restore uses. */
  readonly restoreTarget?: { readonly subnetGroupName: string; readonly securityGroupId: string };

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    const backupProps = {
      retentionDays: ctx.backupRetentionDays,
      preferredWindow: ctx.preferredBackupWindow,
    };
    const key = props.dataKey.key;
    let resource: backup.BackupResource | undefined;

    if (props.role === 'primary') {
      if (ctx.dbMode === 'rds-postgres') {
        const db = new RdsPostgresPrimary(this, 'Postgres', {
          vpc: props.vpc,
          instanceIdentifier: names.primaryDbInstanceId,
          encryptionKey: key,
          backup: backupProps,
          replicaRegion: ctx.regionB,
          credentialsSecretName: names.dbCredentialsSecretName,
        });
        this.endpointAddress = db.instance.dbInstanceEndpointAddress;
        this.dbIdentifier = names.primaryDbInstanceId;
        resource = backup.BackupResource.fromRdsDatabaseInstance(db.instance);
      } else {
        const db = new AuroraGlobalPrimary(this, 'Aurora', {
          vpc: props.vpc,
          clusterIdentifier: names.primaryClusterId,
          globalClusterIdentifier: names.globalClusterId,
          encryptionKey: key,
          backup: backupProps,
          replicaRegion: ctx.regionB,
          credentialsSecretName: names.dbCredentialsSecretName,
        });
        this.endpointAddress = db.cluster.clusterEndpoint.hostname;
        this.dbIdentifier = names.primaryClusterId;
        resource = backup.BackupResource.fromRdsDatabaseCluster(db.cluster);
      }
      const endpointSecret = new secretsmanager.Secret(this, 'DbEndpointSecret', {
        secretName: names.dbEndpointSecretName,
        description:
          'Where the app finds its database; the failover state machine rewrites it in B.',
        encryptionKey: key,
        secretObjectValue: {},
        replicaRegions: [
          {
            region: ctx.regionB,
            ...(props.secondaryKeyArn
              ? {
                  encryptionKey: kms.Key.fromKeyArn(
                    this,
                    'SecretReplicaKey',
                    props.secondaryKeyArn,
                  ),
                }
              : {}),
          },
        ],
      });
      // secretObjectValue with tokens would be rendered by CFN; a raw template keeps the port numeric.
      (endpointSecret.node.defaultChild as secretsmanager.CfnSecret).secretString = Stack.of(
        this,
      ).toJsonString({
        host: this.endpointAddress,
        port: 5432,
        region: this.region,
        mode: ctx.dbMode,
      });
      NagSuppressions.addResourceSuppressions(endpointSecret, [
        {
          id: 'AwsSolutions-SMG4',
          reason: 'Holds an endpoint, not a credential: nothing to rotate; failover rewrites it.',
        },
      ]);
      this.nightlyCopyToSecondary(ctx, key, resource);
    } else if (ctx.dbMode === 'rds-postgres') {
      const db = new RdsPostgresReplica(this, 'Replica', {
        vpc: props.vpc,
        instanceIdentifier: names.replicaDbInstanceId,
        sourceInstanceArn: dbInstanceArn(ctx, ctx.regionA, names.primaryDbInstanceId),
        encryptionKey: key,
        backup: backupProps,
      });
      this.endpointAddress = db.instance.dbInstanceEndpointAddress;
      this.dbIdentifier = names.replicaDbInstanceId;
      this.restoreTarget = {
        subnetGroupName: db.subnetGroup.subnetGroupName,
        securityGroupId: db.securityGroup.securityGroupId,
      };
    } else {
      const db = new AuroraGlobalSecondary(this, 'AuroraSecondary', {
        vpc: props.vpc,
        clusterIdentifier: names.secondaryClusterId,
        globalClusterIdentifier: names.globalClusterId,
        encryptionKey: key,
        backup: backupProps,
      });
      this.endpointAddress = db.cluster.attrEndpointAddress;
      this.dbIdentifier = names.secondaryClusterId;
      this.restoreTarget = {
        subnetGroupName: db.subnetGroup.subnetGroupName,
        securityGroupId: db.securityGroup.securityGroupId,
      };
    }

    new ssm.StringParameter(this, 'AppDbEndpoint', {
      parameterName: names.appConfigParameter,
      description: 'Database endpoint the app in this region connects to (rewritten on failover).',
      stringValue: this.endpointAddress,
    });
  }

  /** AWS Backup: a nightly backup in A, copied to B's vault (covers a lost region A). */
  private nightlyCopyToSecondary(
    ctx: DrContext,
    key: kms.IKey,
    resource: backup.BackupResource,
  ): void {
    const names = drNames(ctx);
    const vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `${names.backupVaultName}-primary`,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const drVault = backup.BackupVault.fromBackupVaultArn(
      this,
      'DrVault',
      `arn:aws:backup:${ctx.regionB}:${ctx.account}:backup-vault:${names.backupVaultName}`,
    );
    const plan = new backup.BackupPlan(this, 'NightlyPlan', {
      backupPlanName: 'drkit-nightly',
      backupVault: vault,
    });
    plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'nightly-copy-to-secondary',
        // After the RDS automated backup window, so the two never contend.
        scheduleExpression: events.Schedule.cron({ hour: '5', minute: '0' }),
        deleteAfter: Duration.days(ctx.backupRetentionDays),
        copyActions: [
          { destinationBackupVault: drVault, deleteAfter: Duration.days(ctx.backupRetentionDays) },
        ],
      }),
    );
    plan.addSelection('Database', { resources: [resource] });
    NagSuppressions.addResourceSuppressions(
      plan,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AWS Backup selection role uses the AWS-maintained AWSBackupServiceRolePolicyForBackup, the documented policy for backup jobs.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
          ],
        },
      ],
      true,
    );
  }
}
