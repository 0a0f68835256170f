import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';

/** How every AWS client drkit builds is configured. */
export interface AwsClientOptions {
  /**
   * Endpoint override for every service (the moto server in the lab and in tests).
   * @default the real AWS endpoint of each service and region
   */
  readonly endpoint?: string;
  /**
   * Explicit credentials. @default the SDK's default provider chain (env, SSO, profile,
   * web identity, container/instance metadata)
   */
  readonly credentials?: S3ClientConfig['credentials'];
  /**
   * Total attempts per API call (the SDK retries throttling, 5xx and network errors with
   * exponential backoff; what is still failing after that is translated to a retryable
   * `DrError` and the engine decides whether to run the step again). @default 5
   */
  readonly maxAttempts?: number;
  /** Base of the exponential backoff between SDK attempts, in ms. @default 200 */
  readonly retryBaseDelayMs?: number;
  /** Cap of one backoff delay, in ms. @default 20_000 */
  readonly retryMaxDelayMs?: number;
  /** Region used when a caller does not name one. @default AWS_REGION or `us-east-1` */
  readonly defaultRegion?: string;
}

type ClientCtor<C> = new (config: Record<string, unknown>) => C;

/**
 * Per-region client factory: one cached client per (service, region), all built with the same
 * endpoint override, credentials and retry strategy. Adapters receive this, never build their
 * own clients, so `--provider aws` and the moto lab differ only by options.
 */
export class AwsClients {
  readonly defaultRegion: string;
  private readonly cache = new Map<string, unknown>();

  constructor(readonly options: AwsClientOptions = {}) {
    this.defaultRegion =
      options.defaultRegion ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      'us-east-1';
  }

  /** The SDK configuration every client gets for `region` (exported for tests and the CLI). */
  config(region: string): Record<string, unknown> {
    const o = this.options;
    const base = o.retryBaseDelayMs ?? 200;
    const cap = o.retryMaxDelayMs ?? 20_000;
    return {
      region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
      retryStrategy: new ConfiguredRetryStrategy(o.maxAttempts ?? 5, (attempt: number) =>
        // full jitter so parallel workers that were throttled together do not retry together
        Math.round(Math.random() * Math.min(cap, base * 2 ** attempt)),
      ),
    };
  }

  /** A cached client of any SDK v3 service for `region`. */
  client<C>(
    ctor: ClientCtor<C>,
    region = this.defaultRegion,
    extra: Record<string, unknown> = {},
  ): C {
    const key = `${ctor.name}@${region}`;
    let c = this.cache.get(key) as C | undefined;
    if (!c) {
      c = new ctor({ ...this.config(region), ...extra });
      this.cache.set(key, c);
    }
    return c;
  }

  s3(region?: string): S3Client {
    // Path-style addressing: moto (and any S3-compatible endpoint) has no per-bucket DNS.
    return this.client(S3Client, region, this.options.endpoint ? { forcePathStyle: true } : {});
  }
  /** S3 Control (Batch Operations jobs); moto does not serve it. */
  s3control(region?: string): S3ControlClient {
    return this.client(S3ControlClient, region);
  }
  rds(region?: string): RDSClient {
    return this.client(RDSClient, region);
  }
  route53(): Route53Client {
    return this.client(Route53Client, 'us-east-1'); // global service
  }
  cloudfront(): CloudFrontClient {
    return this.client(CloudFrontClient, 'us-east-1'); // global service
  }
  /** CloudWatch metrics (replica lag for `drkit verify`). */
  cloudwatch(region?: string): CloudWatchClient {
    return this.client(CloudWatchClient, region);
  }
  dynamodb(region?: string): DynamoDBClient {
    return this.client(DynamoDBClient, region);
  }
  autoscaling(region?: string): ApplicationAutoScalingClient {
    return this.client(ApplicationAutoScalingClient, region);
  }
  secrets(region?: string): SecretsManagerClient {
    return this.client(SecretsManagerClient, region);
  }
  sns(region?: string): SNSClient {
    return this.client(SNSClient, region);
  }
  ses(region?: string): SESClient {
    return this.client(SESClient, region);
  }
  ecs(region?: string): ECSClient {
    return this.client(ECSClient, region);
  }
  lambda(region?: string): LambdaClient {
    return this.client(LambdaClient, region);
  }
  apigateway(region?: string): APIGatewayClient {
    return this.client(APIGatewayClient, region);
  }
  cognito(region?: string): CognitoIdentityProviderClient {
    return this.client(CognitoIdentityProviderClient, region);
  }

  /** Closes every cached client's sockets. */
  destroy(): void {
    for (const c of this.cache.values()) (c as { destroy?: () => void }).destroy?.();
    this.cache.clear();
  }
}
