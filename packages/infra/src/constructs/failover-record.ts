import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** Properties of {@link AlbHealthCheck}. */
export interface AlbHealthCheckProps {
  /** The load balancer to probe. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** HTTP path probed. */
  readonly path: string;
  /**
   * Consecutive failures before unhealthy.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** A Route 53 HTTP health check on an ALB path (`/healthz`, `/dbcheck`). */
export class AlbHealthCheck extends Construct {
  /** The health check. */
  readonly healthCheck: route53.CfnHealthCheck;
  /** Its id. */
  readonly healthCheckId: string;

  constructor(scope: Construct, id: string, props: AlbHealthCheckProps) {
    super(scope, id);
    this.healthCheck = new route53.CfnHealthCheck(this, 'Check', {
      healthCheckConfig: {
        type: 'HTTP',
        fullyQualifiedDomainName: props.loadBalancer.loadBalancerDnsName,
        port: 80,
        resourcePath: props.path,
        requestInterval: 10,
        failureThreshold: props.failureThreshold ?? 3,
      },
    });
    this.healthCheckId = this.healthCheck.attrHealthCheckId;
  }
}

/** Properties of {@link FailoverAliasRecord}. */
export interface FailoverAliasRecordProps {
  /** Hosted zone id. */
  readonly hostedZoneId: string;
  /** Fully qualified record name. */
  readonly recordName: string;
  /** PRIMARY or SECONDARY. */
  readonly failover: 'PRIMARY' | 'SECONDARY';
  /** Set identifier (unique within the pair). */
  readonly setIdentifier: string;
  /** Alias target. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Health check gating the record.
   * @default - none (the SECONDARY needs none: it is the answer of last resort)
   */
  readonly healthCheckId?: string;
}

/** One half of a Route 53 failover pair: an A alias to a region's ALB. */
export class FailoverAliasRecord extends Construct {
  /** The record set. */
  readonly record: route53.CfnRecordSet;

  constructor(scope: Construct, id: string, props: FailoverAliasRecordProps) {
    super(scope, id);
    this.record = new route53.CfnRecordSet(this, 'Record', {
      hostedZoneId: props.hostedZoneId,
      name: props.recordName,
      type: 'A',
      failover: props.failover,
      setIdentifier: props.setIdentifier,
      aliasTarget: {
        dnsName: props.loadBalancer.loadBalancerDnsName,
        hostedZoneId: props.loadBalancer.loadBalancerCanonicalHostedZoneId,
        evaluateTargetHealth: true,
      },
      ...(props.healthCheckId ? { healthCheckId: props.healthCheckId } : {}),
    });
  }
}
