import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { FargateWebService } from '../constructs/fargate-web-service.js';
import { drNames } from '../names.js';

/** Properties of {@link AppStack}. */
export interface AppStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` (runs `primaryTasks`) or `secondary` (runs `warmStandbyTasks`). */
  readonly role: 'primary' | 'secondary';
  /** The region's VPC. */
  readonly vpc: ec2.IVpc;
  /** The region's logs bucket. */
  readonly logsBucket: s3.IBucket;
}

/** The web/API tier of one region. */
export class AppStack extends Stack {
  /** ALB + Fargate service. */
  readonly web: FargateWebService;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    this.web = new FargateWebService(this, 'Web', {
      vpc: props.vpc,
      clusterName: names.clusterName,
      serviceName: names.serviceName,
      desiredCount: props.role === 'primary' ? ctx.primaryTasks : ctx.warmStandbyTasks,
      image: ctx.appImage,
      dbEndpointSecretName: names.dbEndpointSecretName,
      accessLogsBucket: props.logsBucket,
    });
  }
}
