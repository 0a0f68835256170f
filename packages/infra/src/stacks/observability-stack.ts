import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { DrDashboard } from '../constructs/dr-dashboard.js';
import type { FargateWebService } from '../constructs/fargate-web-service.js';
import { drNames } from '../names.js';

/** Properties of {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` (A) or `secondary` (B). */
  readonly role: 'primary' | 'secondary';
  /** The region's web tier. */
  readonly web: FargateWebService;
  /** Identifier of the region's DB instance or cluster. */
  readonly dbIdentifier: string;
}

/** Name of the alarm topic in every region (the state machine's Notify publishes to B's). */
export const ALARM_TOPIC_NAME = 'drkit-alarms';

/** The region's alarm topic (email + webhook), dashboard and alarms. */
export class ObservabilityStack extends Stack {
  /** The alarm topic. */
  readonly topic: sns.Topic;
  /** The dashboard and alarms. */
  readonly dashboard: DrDashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const names = drNames(ctx);
    this.topic = new AlarmTopic(this, 'Alarms', {
      topicName: ALARM_TOPIC_NAME,
      ...(ctx.alarmEmail ? { email: ctx.alarmEmail } : {}),
      ...(ctx.webhookUrl ? { webhookUrl: ctx.webhookUrl } : {}),
    }).topic;
    const primary = props.role === 'primary';
    this.dashboard = new DrDashboard(this, 'Dr', {
      dashboardName: `drkit-dr-${this.region}`,
      topic: this.topic,
      loadBalancerFullName: props.web.loadBalancer.loadBalancerFullName,
      clusterName: names.clusterName,
      serviceName: names.serviceName,
      expectedTasks: primary ? ctx.primaryTasks : ctx.warmStandbyTasks,
      db: {
        dimension: ctx.dbMode === 'rds-postgres' ? 'DBInstanceIdentifier' : 'DBClusterIdentifier',
        id: props.dbIdentifier,
      },
      watchReplicaLag: !primary,
      rpoTargetSeconds: ctx.rpoTargetSeconds,
      ...(primary
        ? {
            s3Replication: {
              sourceBucket: names.appDataBucket(ctx.regionA),
              destinationBucket: names.appDataBucket(ctx.regionB),
              ruleId: 'app-data-to-secondary',
            },
          }
        : {}),
    });
  }
}
