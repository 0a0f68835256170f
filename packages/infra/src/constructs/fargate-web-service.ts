import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Properties of {@link FargateWebService}. */
export interface FargateWebServiceProps {
  /** The region's VPC. */
  readonly vpc: ec2.IVpc;
  /** ECS cluster name (deterministic: the failover state machine addresses it by name). */
  readonly clusterName: string;
  /** ECS service name. */
  readonly serviceName: string;
  /** Tasks to run. */
  readonly desiredCount: number;
  /** Container image; must serve `/healthz` and `/dbcheck` on `containerPort`. */
  readonly image: string;
  /**
   * Port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /** Name of the DB-endpoint secret (the replica's name in B is the same). */
  readonly dbEndpointSecretName: string;
  /** Bucket for ALB access logs (SSE-S3). */
  readonly accessLogsBucket: s3.IBucket;
}

/**
 * An internet-facing ALB in front of a Fargate service in the `app` subnets, health-checked on
 * `/healthz`. The task-execution role (pull image, write logs, read the secret at start) and the
 * task role (what the app itself may call) are separate.
 */
export class FargateWebService extends Construct {
  /** The load balancer. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The ECS service. */
  readonly service: ecs.FargateService;
  /** The ECS cluster. */
  readonly cluster: ecs.Cluster;
  /** The target group (for metrics). */
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: FargateWebServiceProps) {
    super(scope, id);
    const port = props.containerPort ?? 8080;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const executionRole = new iam.Role(this, 'TaskExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pulls the image, writes logs, reads the DB-endpoint secret at task start',
    });
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Identity of the app inside the task',
    });
    const taskDef = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu: 512,
      memoryLimitMiB: 1024,
      executionRole,
      taskRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const endpointSecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'DbEndpoint',
      props.dbEndpointSecretName,
    );
    endpointSecret.grantRead(taskRole);
    taskDef.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry(props.image),
      portMappings: [{ containerPort: port }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logGroup }),
      secrets: { DB_ENDPOINT: ecs.Secret.fromSecretsManager(endpointSecret) },
      healthCheck: {
        command: ['CMD-SHELL', `wget -q -O- http://127.0.0.1:${port}/healthz || exit 1`],
        interval: Duration.seconds(15),
        retries: 3,
      },
    });

    const albSg = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Public HTTP to the ALB',
      allowAllOutbound: false,
    });
    albSg.addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(80),
      'HTTP from the internet (CloudFront and Route 53 health checkers)',
    );
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      securityGroup: albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogsBucket, `alb/${Stack.of(this).region}`);

    const serviceSg = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: 'App tasks: only the ALB may connect',
    });
    serviceSg.connections.allowFrom(albSg, ec2.Port.tcp(port), 'ALB to tasks');
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: props.serviceName,
      taskDefinition: taskDef,
      desiredCount: props.desiredCount,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSg],
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    const listener = this.loadBalancer.addListener('Http', { port: 80, open: false });
    this.targetGroup = listener.addTargets('App', {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });

    NagSuppressions.addResourceSuppressions(albSg, [
      {
        id: 'AwsSolutions-EC23',
        reason:
          'Public entry point: CloudFront origin fetches and Route 53 health checkers come from the internet.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      [executionRole, taskRole],
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'CDK-generated grants: ecr:GetAuthorizationToken only exists on "*", and the secret is addressed by name with the 6-character suffix Secrets Manager appends.',
        },
      ],
      true,
    );
  }
}
