import type { DrContext } from './context.js';

/**
 * Physical names shared across regions. Stacks in A and B refer to each other's resources by
 * these deterministic names instead of cross-region stack references, so each region's stacks
 * synthesize and deploy on their own (the one exception is the multi-Region key's primary ARN).
 */
export interface DrNames {
  readonly primaryDbInstanceId: string;
  readonly replicaDbInstanceId: string;
  readonly primaryClusterId: string;
  readonly secondaryClusterId: string;
  readonly globalClusterId: string;
  readonly dbEndpointSecretName: string;
  readonly dbCredentialsSecretName: string;
  readonly appConfigParameter: string;
  readonly appDataBucket: (region: string) => string;
  readonly logsBucket: (region: string) => string;
  readonly complianceBucket: (region: string) => string;
  readonly dataKeyAlias: string;
  readonly backupVaultName: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly stateMachineName: string;
  readonly tableName: string;
  readonly fqdn: string;
  /** Set identifiers of the failover record pair. */
  readonly primarySetId: string;
  readonly secondarySetId: string;
}

/** Builds the shared names from the validated context. */
export function drNames(ctx: DrContext): DrNames {
  return {
    primaryDbInstanceId: 'drkit-primary',
    replicaDbInstanceId: 'drkit-replica',
    primaryClusterId: 'drkit-primary-cluster',
    secondaryClusterId: 'drkit-secondary-cluster',
    globalClusterId: 'drkit-global',
    dbEndpointSecretName: 'drkit/db-endpoint',
    dbCredentialsSecretName: 'drkit/db-credentials',
    appConfigParameter: '/drkit/app/db-endpoint',
    appDataBucket: (region) => `drkit-app-data-${ctx.account}-${region}`,
    logsBucket: (region) => `drkit-logs-${ctx.account}-${region}`,
    complianceBucket: (region) => `drkit-compliance-${ctx.account}-${region}`,
    dataKeyAlias: 'alias/drkit/data',
    backupVaultName: 'drkit-dr-vault',
    clusterName: 'drkit',
    serviceName: 'drkit-app',
    stateMachineName: 'drkit-failover',
    tableName: 'drkit-kv',
    fqdn: `${ctx.recordName}.${ctx.zoneName}`,
    primarySetId: 'primary',
    secondarySetId: 'secondary',
  };
}

/** ARN of an RDS DB instance by identifier. */
export function dbInstanceArn(ctx: DrContext, region: string, id: string): string {
  return `arn:aws:rds:${region}:${ctx.account}:db:${id}`;
}

/** ARN of an RDS DB cluster by identifier. */
export function dbClusterArn(ctx: DrContext, region: string, id: string): string {
  return `arn:aws:rds:${region}:${ctx.account}:cluster:${id}`;
}
