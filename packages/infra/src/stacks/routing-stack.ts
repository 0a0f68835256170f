import { Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { AlbHealthCheck, FailoverAliasRecord } from '../constructs/failover-record.js';
import { drNames } from '../names.js';

/** Properties of {@link RoutingStack}. */
export interface RoutingStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` (PRIMARY record, health check, CloudFront) or `secondary` (SECONDARY record). */
  readonly role: 'primary' | 'secondary';
  /** The region's ALB. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The region's logs bucket (CloudFront standard logs). */
  readonly logsBucket: s3.IBucket;
}

/**
 * This region's half of the Route 53 failover pair. The zone comes from context ids (no lookup).
 * A also hosts CloudFront in front of the failover name; B hosts the `/dbcheck` health check the
 * failover's PostChecks read.
 */
export class RoutingStack extends Stack {
  /** Health check on this region's ALB: `/healthz` in A, `/dbcheck` in B. */
  readonly healthCheck: AlbHealthCheck;
  /** The CloudFront distribution (A only). */
  readonly distribution?: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: RoutingStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    const primary = props.role === 'primary';
    this.healthCheck = new AlbHealthCheck(
      this,
      primary ? 'PrimaryHealthCheck' : 'DbCheckHealthCheck',
      {
        loadBalancer: props.loadBalancer,
        path: primary ? '/healthz' : '/dbcheck',
      },
    );
    new FailoverAliasRecord(this, primary ? 'PrimaryRecord' : 'SecondaryRecord', {
      hostedZoneId: ctx.hostedZoneId,
      recordName: names.fqdn,
      failover: primary ? 'PRIMARY' : 'SECONDARY',
      setIdentifier: primary ? names.primarySetId : names.secondarySetId,
      loadBalancer: props.loadBalancer,
      ...(primary ? { healthCheckId: this.healthCheck.healthCheckId } : {}),
    });
    if (!primary) return;

    if (ctx.canaryEnabled) {
      // End-to-end canary: probes the public failover name, whichever region answers it.
      new route53.CfnHealthCheck(this, 'CanaryHealthCheck', {
        healthCheckConfig: {
          type: 'HTTP',
          fullyQualifiedDomainName: names.fqdn,
          port: 80,
          resourcePath: '/healthz',
          requestInterval: 30,
          failureThreshold: 3,
          measureLatency: true,
        },
      });
    }
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'drkit: CloudFront in front of the Route 53 failover name',
      defaultBehavior: {
        origin: new origins.HttpOrigin(names.fqdn, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      enableLogging: true,
      logBucket: props.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A public API for every country: no geo restriction by design.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          "WAF is out of the DR lab's scope (cost); attach a web ACL in production via context-driven extension.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The lab uses the default *.cloudfront.net certificate (no ACM certificate in us-east-1 is assumed); TLSv1.2_2021 applies once a custom certificate is attached.',
      },
      {
        id: 'AwsSolutions-CFR5',
        reason:
          'The origin is the ALB failover name over HTTP inside AWS; an HTTPS listener needs a regional ACM certificate the lab does not assume.',
      },
    ]);
  }
}
