import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** What the dashboard watches in one region. */
export interface DrDashboardProps {
  /** Dashboard name. */
  readonly dashboardName: string;
  /** Topic every alarm notifies (ALARM and OK). */
  readonly topic: sns.ITopic;
  /** ALB `LoadBalancer` dimension (`app/<name>/<id>`). */
  readonly loadBalancerFullName: string;
  /** ECS cluster name. */
  readonly clusterName: string;
  /** ECS service name. */
  readonly serviceName: string;
  /** Tasks expected to run (alarm when fewer). */
  readonly expectedTasks: number;
  /** RDS: `DBInstanceIdentifier` (rds-postgres) or `DBClusterIdentifier` (aurora-global). */
  readonly db: {
    readonly dimension: 'DBInstanceIdentifier' | 'DBClusterIdentifier';
    readonly id: string;
  };
  /**
   * Watch replication lag of this database (B's replica / secondary cluster).
   * @default false
   */
  readonly watchReplicaLag?: boolean;
  /** RPO target in seconds: the replica-lag and S3 replication-latency alarm threshold. */
  readonly rpoTargetSeconds: number;
  /**
   * S3 replication to watch (source region only).
   * @default - none
   */
  readonly s3Replication?: {
    readonly sourceBucket: string;
    readonly destinationBucket: string;
    readonly ruleId: string;
  };
}

/** One region's DR dashboard and its alarms, all wired to the topic. */
export class DrDashboard extends Construct {
  /** Every alarm created. */
  readonly alarms: cw.Alarm[] = [];
  /** The dashboard. */
  readonly dashboard: cw.Dashboard;
  private readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: DrDashboardProps) {
    super(scope, id);
    this.topic = props.topic;
    const period = Duration.minutes(1);
    const alb = (metricName: string, statistic: string) =>
      new cw.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName,
        statistic,
        period,
        dimensionsMap: { LoadBalancer: props.loadBalancerFullName },
      });
    const ecsDims = { ClusterName: props.clusterName, ServiceName: props.serviceName };
    const ecs = (metricName: string) =>
      new cw.Metric({
        namespace: 'AWS/ECS',
        metricName,
        statistic: 'Average',
        period,
        dimensionsMap: ecsDims,
      });
    const tasks = new cw.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      statistic: 'Minimum',
      period,
      dimensionsMap: ecsDims,
    });
    const rds = (metricName: string, statistic = 'Average') =>
      new cw.Metric({
        namespace: 'AWS/RDS',
        metricName,
        statistic,
        period,
        dimensionsMap: { [props.db.dimension]: props.db.id },
      });

    const elb5xx = alb('HTTPCode_ELB_5XX_Count', 'Sum');
    const target5xx = alb('HTTPCode_Target_5XX_Count', 'Sum');
    const p95 = alb('TargetResponseTime', 'p95');
    this.alarm('Alb5xx', target5xx, 10, 'ALB target 5xx responses per minute');
    this.alarm('AlbP95Latency', p95, 1, 'ALB p95 target response time (s)');
    this.alarm('EcsCpuHigh', ecs('CPUUtilization'), 85, 'ECS service CPU %');
    this.alarm('EcsMemoryHigh', ecs('MemoryUtilization'), 85, 'ECS service memory %');
    this.alarm(
      'EcsTasksLow',
      tasks,
      props.expectedTasks,
      'Running tasks below the expected count',
      cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      cw.TreatMissingData.BREACHING,
    );
    this.alarm('DbCpuHigh', rds('CPUUtilization'), 80, 'Database CPU %');
    this.alarm('DbConnectionsHigh', rds('DatabaseConnections'), 400, 'Database connections');

    const dbWidgets: cw.IMetric[] = [rds('CPUUtilization'), rds('DatabaseConnections')];
    if (props.watchReplicaLag) {
      const lag =
        props.db.dimension === 'DBInstanceIdentifier'
          ? rds('ReplicaLag', 'Maximum')
          : new cw.MathExpression({
              expression: 'lagMs / 1000',
              usingMetrics: { lagMs: rds('AuroraGlobalDBReplicationLag', 'Maximum') },
              period,
              label: 'Global DB replication lag (s)',
            });
      this.alarm(
        'DbReplicaLag',
        lag,
        props.rpoTargetSeconds,
        'Replica lag (s) above the RPO target',
      );
      dbWidgets.push(lag);
    }

    const widgets: cw.IWidget[][] = [
      [
        new cw.GraphWidget({
          title: 'ALB 4xx / 5xx',
          left: [
            alb('HTTPCode_ELB_4XX_Count', 'Sum'),
            alb('HTTPCode_Target_4XX_Count', 'Sum'),
            elb5xx,
            target5xx,
          ],
        }),
        new cw.GraphWidget({ title: 'ALB p95 latency (s)', left: [p95] }),
      ],
      [
        new cw.GraphWidget({
          title: 'ECS CPU / memory %',
          left: [ecs('CPUUtilization'), ecs('MemoryUtilization')],
        }),
        new cw.GraphWidget({ title: 'ECS running tasks', left: [tasks] }),
      ],
      [new cw.GraphWidget({ title: 'Database CPU / connections / lag', left: dbWidgets })],
    ];
    if (props.s3Replication) {
      const r = props.s3Replication;
      const s3m = (metricName: string, statistic: string) =>
        new cw.Metric({
          namespace: 'AWS/S3',
          metricName,
          statistic,
          period: Duration.minutes(5),
          dimensionsMap: {
            SourceBucket: r.sourceBucket,
            DestinationBucket: r.destinationBucket,
            RuleId: r.ruleId,
          },
        });
      const latency = s3m('ReplicationLatency', 'Maximum');
      this.alarm(
        'S3ReplicationLatency',
        latency,
        props.rpoTargetSeconds,
        'S3 replication latency (s) above the RPO target',
      );
      this.alarm(
        'S3ReplicationFailed',
        s3m('OperationsFailedReplication', 'Sum'),
        1,
        'S3 operations that failed to replicate',
        cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      );
      widgets.push([
        new cw.GraphWidget({
          title: 'S3 replication backlog',
          left: [s3m('BytesPendingReplication', 'Maximum')],
          right: [s3m('OperationsPendingReplication', 'Maximum')],
        }),
        new cw.GraphWidget({ title: 'S3 replication latency (s)', left: [latency] }),
      ]);
    }
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets,
    });
  }

  private alarm(
    id: string,
    metric: cw.IMetric,
    threshold: number,
    description: string,
    comparisonOperator = cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData = cw.TreatMissingData.NOT_BREACHING,
  ): void {
    const alarm = new cw.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator,
      treatMissingData,
      alarmDescription: description,
    });
    const action = new cwActions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
