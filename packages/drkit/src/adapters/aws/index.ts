/**
 * The AWS adapters (SDK v3), one per port, all built from one {@link AwsClients} factory so
 * that `--provider aws` and the moto lab differ only by the factory's options (endpoint,
 * credentials). {@link createAwsAdapters} binds the usual set for a two-region deployment.
 */
import { ApiGatewayStages } from './api-gateway-stages.js';
import { AwsClients, type AwsClientOptions } from './clients.js';
import { CloudFrontCdn } from './cloudfront-cdn.js';
import { CognitoIdentity } from './cognito-identity.js';
import { DynamoDbKeyValue } from './dynamodb-key-value.js';
import { EcsCompute, type EcsServiceRef } from './ecs-compute.js';
import { LambdaFunctions } from './lambda-functions.js';
import { RdsDatabase, type RdsDatabaseOptions } from './rds-database.js';
import { Route53Router, type Route53RouterOptions } from './route53-router.js';
import { S3ObjectStore } from './s3-object-store.js';
import { SecretsManagerSecrets } from './secrets-manager-secrets.js';
import { SesMailer } from './ses-mailer.js';
import { SnsNotifier } from './sns-notifier.js';

export { ApiGatewayStages } from './api-gateway-stages.js';
export { AwsClients, type AwsClientOptions } from './clients.js';
export { CloudFrontCdn } from './cloudfront-cdn.js';
export { CognitoIdentity } from './cognito-identity.js';
export { DynamoDbKeyValue } from './dynamodb-key-value.js';
export { EcsCompute, type EcsServiceRef } from './ecs-compute.js';
export { awsCall, isAwsError, translateAwsError, type AwsCallContext } from './errors.js';
export { LambdaFunctions } from './lambda-functions.js';
export { RdsDatabase, type RdsDatabaseOptions } from './rds-database.js';
export { Route53Router, type Route53RouterOptions, type Route53Target } from './route53-router.js';
export { S3ObjectStore, copySource } from './s3-object-store.js';
export { planPrefixRestore } from './s3-restore-plan.js';
export { SecretsManagerSecrets } from './secrets-manager-secrets.js';
export { SesMailer } from './ses-mailer.js';
export { SnsNotifier } from './sns-notifier.js';

/** What {@link createAwsAdapters} needs to bind the AWS provider. */
export interface AwsProviderOptions extends AwsClientOptions {
  /** Region A (primary). */
  readonly primaryRegion: string;
  /** Region B (warm standby). */
  readonly secondaryRegion: string;
  /** RDS options shared by both regions (subnet group, security groups, writer class). */
  readonly rds?: Omit<RdsDatabaseOptions, 'clients' | 'region'>;
  /** SNS topic for notifications. @default no notifier */
  readonly snsTopicArn?: string;
  /** The Route 53 failover record. @default no router */
  readonly route53?: Omit<Route53RouterOptions, 'clients'>;
  /** The application's ECS service per region. @default no compute */
  readonly ecsServices?: Readonly<Record<string, EcsServiceRef>>;
}

/** The AWS adapters for a two-region deployment. */
export function createAwsAdapters(opts: AwsProviderOptions) {
  const clients = new AwsClients({ ...opts, defaultRegion: opts.primaryRegion });
  const perRegion = <T>(make: (region: string) => T) => ({
    primary: make(opts.primaryRegion),
    secondary: make(opts.secondaryRegion),
  });
  return {
    clients,
    database: perRegion((region) => new RdsDatabase({ ...opts.rds, clients, region })),
    objectStore: perRegion((region) => new S3ObjectStore({ clients, region })),
    secrets: perRegion((region) => new SecretsManagerSecrets({ clients, region })),
    keyValue: perRegion((region) => new DynamoDbKeyValue({ clients, region })),
    functions: perRegion((region) => new LambdaFunctions({ clients, region })),
    mailer: perRegion((region) => new SesMailer({ clients, region })),
    apiGateway: perRegion((region) => new ApiGatewayStages({ clients, region })),
    identity: perRegion((region) => new CognitoIdentity({ clients, region })),
    cdn: new CloudFrontCdn({ clients }),
    notifier: opts.snsTopicArn
      ? new SnsNotifier({ clients, topicArn: opts.snsTopicArn })
      : undefined,
    router: opts.route53 ? new Route53Router({ ...opts.route53, clients }) : undefined,
    compute: opts.ecsServices ? new EcsCompute({ clients, services: opts.ecsServices }) : undefined,
  };
}
