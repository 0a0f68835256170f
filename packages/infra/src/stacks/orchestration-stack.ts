import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { FailoverStateMachine } from '../constructs/failover-state-machine.js';
import { drNames } from '../names.js';

/** Properties of {@link OrchestrationStack}. */
export interface OrchestrationStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** Health check on A's `/healthz` (from A's routing stack). */
  readonly primaryHealthCheckId: string;
  /** Health check on B's `/dbcheck`. */
  readonly postCheckHealthCheckId: string;
  /** B's ALB. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** B's alarm topic. */
  readonly topic: sns.ITopic;
  /** Where a snapshot restore in B goes. */
  readonly restoreTarget: { readonly subnetGroupName: string; readonly securityGroupId: string };
}

/** DR orchestration, deployed in B so it runs when A is lost. */
export class OrchestrationStack extends Stack {
  /** The failover state machine. */
  readonly failover: FailoverStateMachine;

  constructor(scope: Construct, id: string, props: OrchestrationStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    this.failover = new FailoverStateMachine(this, 'Failover', {
      stateMachineName: names.stateMachineName,
      dbMode: ctx.dbMode,
      primaryHealthCheckId: props.primaryHealthCheckId,
      postCheckHealthCheckId: props.postCheckHealthCheckId,
      replicaInstanceId: names.replicaDbInstanceId,
      primaryInstanceId: names.primaryDbInstanceId,
      restoredInstanceId: 'drkit-restored',
      restoreSubnetGroupName: props.restoreTarget.subnetGroupName,
      restoreSecurityGroupIds: [props.restoreTarget.securityGroupId],
      globalClusterId: names.globalClusterId,
      secondaryClusterId: names.secondaryClusterId,
      backupRetentionDays: ctx.backupRetentionDays,
      secretName: names.dbEndpointSecretName,
      appConfigParameter: names.appConfigParameter,
      clusterName: names.clusterName,
      serviceName: names.serviceName,
      scaleToTasks: ctx.primaryTasks,
      hostedZoneId: ctx.hostedZoneId,
      recordName: names.fqdn,
      primarySetId: names.primarySetId,
      albDnsName: props.loadBalancer.loadBalancerDnsName,
      albCanonicalHostedZoneId: props.loadBalancer.loadBalancerCanonicalHostedZoneId,
      topic: props.topic,
      pollSeconds: ctx.ecsPollSeconds,
      maxPolls: ctx.ecsMaxPolls,
      rtoTargetMinutes: ctx.rtoTargetMinutes,
    });
  }
}
