import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Properties of {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The VPC's CIDR; A and B use different ranges with the same subnet layout. */
  readonly cidr: string;
  /**
   * NAT gateways (one per AZ removes the single point of failure at twice the cost).
   * @default 1
   */
  readonly natGateways?: number;
}

/**
 * A VPC over two AZs with mirrored tiers in both regions: `public` (ALB), `app` (Fargate tasks,
 * egress through NAT) and `data` (databases, no route out). AZ names are given explicitly so
 * synthesis never looks them up.
 */
export class NetworkStack extends Stack {
  /** The region's VPC. */
  readonly vpc: ec2.Vpc;

  /** Two AZs named from the region: no lookup, so synthesis needs no AWS account. */
  override get availabilityZones(): string[] {
    return [`${this.region}a`, `${this.region}b`];
  }

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
