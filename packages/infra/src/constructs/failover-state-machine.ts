import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { DbMode } from '../context.js';

/** Everything the failover touches in region B (names are deterministic, see names.ts). */
export interface FailoverStateMachineProps {
  /** State machine name. */
  readonly stateMachineName: string;
  /** Database mode baked into the plan (selects the DecideAuroraOrStandard branch). */
  readonly dbMode: DbMode;
  /** Route 53 health check on A's `/healthz`. */
  readonly primaryHealthCheckId: string;
  /** Route 53 health check on B's `/dbcheck` (PostChecks). */
  readonly postCheckHealthCheckId: string;
  /** Read replica in B (rds-postgres). */
  readonly replicaInstanceId: string;
  /** Primary instance in A: its snapshots copied to B are the restore source. */
  readonly primaryInstanceId: string;
  /** Identifier the snapshot restore creates. */
  readonly restoredInstanceId: string;
  /** DB subnet group in B for a restored instance. */
  readonly restoreSubnetGroupName: string;
  /** Security groups for a restored instance. */
  readonly restoreSecurityGroupIds: string[];
  /** Global cluster (aurora-global). */
  readonly globalClusterId: string;
  /** Secondary cluster in B (aurora-global). */
  readonly secondaryClusterId: string;
  /** Backup retention given to the promoted database (days). */
  readonly backupRetentionDays: number;
  /** Name of the DB-endpoint secret (its replica in B). */
  readonly secretName: string;
  /** SSM parameter holding the app's DB endpoint in B. */
  readonly appConfigParameter: string;
  /** ECS cluster in B. */
  readonly clusterName: string;
  /** ECS service in B. */
  readonly serviceName: string;
  /** Tasks B scales to. */
  readonly scaleToTasks: number;
  /** Hosted zone of the failover record. */
  readonly hostedZoneId: string;
  /** Fully qualified failover record name. */
  readonly recordName: string;
  /** Set identifier of the PRIMARY record (upserted to point at B). */
  readonly primarySetId: string;
  /** B's ALB DNS name. */
  readonly albDnsName: string;
  /** B's ALB canonical hosted zone id. */
  readonly albCanonicalHostedZoneId: string;
  /** Topic Notify publishes to. */
  readonly topic: sns.ITopic;
  /**
   * Seconds between polls (DB available, ECS stable, post-checks). Wait states really wait.
   * @default 15
   */
  readonly pollSeconds?: number;
  /**
   * Polls before a wait loop gives up.
   * @default 40
   */
  readonly maxPolls?: number;
  /**
   * RTO target (minutes): the execution times out at twice this.
   * @default 30
   */
  readonly rtoTargetMinutes?: number;
}

/** The seed's failover states, in the order a promote-replica run passes them. */
export const FAILOVER_STATE_ORDER = [
  'CheckPrimaryHealth',
  'DecideAuroraOrStandard',
  'PromoteReplica',
  'UpdateSecrets',
  'RotateAppConfig',
  'ScaleSecondaryECS',
  'FlipRoute53',
  'PostChecks',
  'Notify',
] as const;

/**
 * Region-failover orchestration in B, all AWS SDK service integrations (no Lambda, so it runs
 * while A is gone and on the moto emulator): CheckPrimaryHealth → DecideAuroraOrStandard →
 * PromoteReplica | RestoreFromLatestSnapshot | FailoverGlobalCluster → (wait available) →
 * UpdateSecrets → RotateAppConfig → ScaleSecondaryECS (wait stable) → FlipRoute53 → PostChecks
 * (`/dbcheck` health check) → Notify. Parameter names use Step Functions' SDK casing
 * (`DbInstanceIdentifier`); every SDK result goes through a ResultSelector so no timestamp
 * reaches the execution's state.
 *
 * Input: `{ "force"?: true, "strategy"?: "promote-replica" | "restore-snapshot" }`. Without
 * `force`, the run stops if the primary's health check still reports success.
 */
export class FailoverStateMachine extends Construct {
  /** The state machine. */
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FailoverStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const pollSeconds = props.pollSeconds ?? 15;
    const maxPolls = props.maxPolls ?? 40;
    const arn = (service: string, resource: string, region = stack.region) =>
      `arn:${Aws.PARTITION}:${service}:${region}:${stack.account}:${resource}`;
    const healthCheckArn = (hcId: string) => `arn:${Aws.PARTITION}:route53:::healthcheck/${hcId}`;
    const sdk = (
      stateId: string,
      service: string,
      action: string,
      parameters: Record<string, unknown>,
      iamResources: string[],
      resultSelector: Record<string, unknown>,
      resultPath: string,
      iamAction?: string,
    ) =>
      new tasks.CallAwsService(this, stateId, {
        service,
        action,
        parameters,
        iamResources,
        ...(iamAction ? { iamAction } : {}),
        resultSelector,
        resultPath,
      });

    const loadPlan = new sfn.Pass(this, 'LoadPlan', {
      result: sfn.Result.fromObject({
        dbMode: props.dbMode,
        region: stack.region,
        scaleToTasks: props.scaleToTasks,
      }),
      resultPath: '$.plan',
    });
    const checkPrimary = sdk(
      'CheckPrimaryHealth',
      'route53',
      'getHealthCheckStatus',
      { HealthCheckId: props.primaryHealthCheckId },
      [healthCheckArn(props.primaryHealthCheckId)],
      { 'statuses.$': '$.HealthCheckObservations[*].StatusReport.Status' },
      '$.primaryHealth',
    );
    const primaryHealthy = new sfn.Fail(this, 'PrimaryIsHealthy', {
      error: 'PrimaryIsHealthy',
      cause:
        'The primary health check reports success; start with {"force": true} for a planned failover.',
    });

    // Database branches converge on a shared "wait until available" loop fed by $.db.
    const describeDb = sdk(
      'DescribeFailoverDb',
      'rds',
      'describeDBInstances',
      { 'DbInstanceIdentifier.$': '$.db.id' },
      [arn('rds', `db:${props.replicaInstanceId}`), arn('rds', `db:${props.restoredInstanceId}`)],
      {
        'status.$': '$.DbInstances[0].DbInstanceStatus',
        'address.$': '$.DbInstances[0].Endpoint.Address',
        'port.$': '$.DbInstances[0].Endpoint.Port',
      },
      '$.dbState',
    );
    const describeCluster = sdk(
      'DescribeFailoverCluster',
      'rds',
      'describeDBClusters',
      { DbClusterIdentifier: props.secondaryClusterId },
      [arn('rds', `cluster:${props.secondaryClusterId}`)],
      {
        'status.$': '$.DbClusters[0].Status',
        'address.$': '$.DbClusters[0].Endpoint',
        'port.$': '$.DbClusters[0].Port',
      },
      '$.dbState',
    );
    const buildEndpoint = new sfn.Pass(this, 'BuildEndpoint', {
      parameters: {
        'host.$': '$.dbState.address',
        'port.$': '$.dbState.port',
        region: stack.region,
        mode: props.dbMode,
      },
      resultPath: '$.endpoint',
    });
    const dbTimeout = new sfn.Fail(this, 'DatabaseNotAvailable', {
      error: 'DatabaseNotAvailable',
      cause: `not available after ${maxPolls} polls`,
    });
    const waitDb = this.pollLoop(
      'Db',
      describeDb,
      sfn.Condition.stringEquals('$.dbState.status', 'available'),
      pollSeconds,
      maxPolls,
      buildEndpoint,
      dbTimeout,
    );
    const waitCluster = this.pollLoop(
      'Cluster',
      describeCluster,
      sfn.Condition.stringEquals('$.dbState.status', 'available'),
      pollSeconds,
      maxPolls,
      buildEndpoint,
      dbTimeout,
    );

    const promote = sdk(
      'PromoteReplica',
      'rds',
      'promoteReadReplica',
      {
        DbInstanceIdentifier: props.replicaInstanceId,
        BackupRetentionPeriod: props.backupRetentionDays,
      },
      [arn('rds', `db:${props.replicaInstanceId}`)],
      { 'id.$': '$.DbInstance.DbInstanceIdentifier' },
      '$.db',
    ).next(waitDb);

    const listSnapshots = sdk(
      'RestoreFromLatestSnapshot',
      'rds',
      'describeDBSnapshots',
      { DbInstanceIdentifier: props.primaryInstanceId },
      [arn('rds', 'snapshot:*'), arn('rds', `db:${props.primaryInstanceId}`)],
      { 'arns.$': '$.DbSnapshots[*].DbSnapshotArn' },
      '$.snapshots',
    );
    // DescribeDBSnapshots lists oldest first; the last element is the newest copy.
    const pickLatest = new sfn.Pass(this, 'PickLatestSnapshot', {
      parameters: {
        'arn.$':
          'States.ArrayGetItem($.snapshots.arns, States.MathAdd(States.ArrayLength($.snapshots.arns), -1))',
      },
      resultPath: '$.snapshot',
    });
    const restore = sdk(
      'RestoreDbInstance',
      'rds',
      'restoreDBInstanceFromDBSnapshot',
      {
        DbInstanceIdentifier: props.restoredInstanceId,
        'DbSnapshotIdentifier.$': '$.snapshot.arn',
        DbSubnetGroupName: props.restoreSubnetGroupName,
        VpcSecurityGroupIds: props.restoreSecurityGroupIds,
        DeletionProtection: true,
        MultiAz: true,
      },
      [
        arn('rds', `db:${props.restoredInstanceId}`),
        arn('rds', 'snapshot:*'),
        arn('rds', `subgrp:${props.restoreSubnetGroupName}`),
      ],
      { 'id.$': '$.DbInstance.DbInstanceIdentifier' },
      '$.db',
    );
    listSnapshots.next(pickLatest).next(restore).next(waitDb);

    const failoverGlobal = sdk(
      'FailoverGlobalCluster',
      'rds',
      'failoverGlobalCluster',
      {
        GlobalClusterIdentifier: props.globalClusterId,
        TargetDbClusterIdentifier: arn('rds', `cluster:${props.secondaryClusterId}`),
        AllowDataLoss: true,
      },
      [
        arn('rds', `global-cluster:${props.globalClusterId}`, ''),
        arn('rds', `cluster:${props.secondaryClusterId}`),
        arn('rds', 'cluster:*', '*'),
      ],
      { 'status.$': '$.GlobalCluster.Status' },
      '$.globalFailover',
    ).next(waitCluster);

    const decide = new sfn.Choice(this, 'DecideAuroraOrStandard')
      .when(sfn.Condition.stringEquals('$.plan.dbMode', 'aurora-global'), failoverGlobal)
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.strategy'),
          sfn.Condition.stringEquals('$.strategy', 'restore-snapshot'),
        ),
        listSnapshots,
      )
      .otherwise(promote);
    const confirm = new sfn.Choice(this, 'ConfirmPrimaryDown')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.force'),
          sfn.Condition.booleanEquals('$.force', true),
        ),
        decide,
      )
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.primaryHealth.statuses[0]'),
          sfn.Condition.stringMatches('$.primaryHealth.statuses[0]', 'Success*'),
        ),
        primaryHealthy,
      )
      .otherwise(decide);

    const secretArn = arn('secretsmanager', `secret:${props.secretName}-??????`);
    // A replica secret is read-only until replication stops; if it already is standalone (or
    // the region-A endpoint is gone and it was promoted by hand) this fails and we go on.
    const stopReplication = sdk(
      'StopSecretReplication',
      'secretsmanager',
      'stopReplicationToReplica',
      { SecretId: props.secretName },
      [secretArn],
      { 'arn.$': '$.ARN' },
      '$.secretReplication',
    );
    const updateSecrets = sdk(
      'UpdateSecrets',
      'secretsmanager',
      'putSecretValue',
      { SecretId: props.secretName, 'SecretString.$': 'States.JsonToString($.endpoint)' },
      [secretArn],
      { 'versionId.$': '$.VersionId' },
      '$.secret',
    );
    stopReplication.addCatch(updateSecrets, {
      errors: ['States.ALL'],
      resultPath: '$.errors.stopReplication',
    });
    stopReplication.next(updateSecrets);
    const rotateConfig = sdk(
      'RotateAppConfig',
      'ssm',
      'putParameter',
      {
        Name: props.appConfigParameter,
        'Value.$': '$.endpoint.host',
        Type: 'String',
        Overwrite: true,
      },
      [arn('ssm', `parameter${props.appConfigParameter}`)],
      { 'version.$': '$.Version' },
      '$.appConfig',
    );
    const serviceArn = arn('ecs', `service/${props.clusterName}/${props.serviceName}`);
    const scale = sdk(
      'ScaleSecondaryECS',
      'ecs',
      'updateService',
      {
        Cluster: props.clusterName,
        Service: props.serviceName,
        DesiredCount: props.scaleToTasks,
        ForceNewDeployment: true,
      },
      [serviceArn],
      { 'desired.$': '$.Service.DesiredCount' },
      '$.ecs',
    );
    const describeService = sdk(
      'DescribeSecondaryService',
      'ecs',
      'describeServices',
      { Cluster: props.clusterName, Services: [props.serviceName] },
      [serviceArn],
      { 'running.$': '$.Services[0].RunningCount', 'desired.$': '$.Services[0].DesiredCount' },
      '$.ecsState',
    );
    const flip = sdk(
      'FlipRoute53',
      'route53',
      'changeResourceRecordSets',
      {
        HostedZoneId: props.hostedZoneId,
        ChangeBatch: {
          Comment: 'drkit failover: PRIMARY now answers with region B',
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: props.recordName,
                Type: 'A',
                SetIdentifier: props.primarySetId,
                Failover: 'PRIMARY',
                AliasTarget: {
                  HostedZoneId: props.albCanonicalHostedZoneId,
                  DnsName: props.albDnsName,
                  EvaluateTargetHealth: true,
                },
              },
            },
          ],
        },
      },
      [`arn:${Aws.PARTITION}:route53:::hostedzone/${props.hostedZoneId}`],
      { 'changeId.$': '$.ChangeInfo.Id', 'status.$': '$.ChangeInfo.Status' },
      '$.dns',
    );
    const ecsTimeout = new sfn.Fail(this, 'SecondaryNotStable', {
      error: 'SecondaryNotStable',
      cause: `ECS not stable after ${maxPolls} polls`,
    });
    const waitEcs = this.pollLoop(
      'Ecs',
      describeService,
      sfn.Condition.numberGreaterThanEquals('$.ecsState.running', props.scaleToTasks),
      pollSeconds,
      maxPolls,
      flip,
      ecsTimeout,
    );

    const postChecks = sdk(
      'PostChecks',
      'route53',
      'getHealthCheckStatus',
      { HealthCheckId: props.postCheckHealthCheckId },
      [healthCheckArn(props.postCheckHealthCheckId)],
      { 'statuses.$': '$.HealthCheckObservations[*].StatusReport.Status' },
      '$.postChecks',
    );
    const notify = new tasks.SnsPublish(this, 'Notify', {
      topic: props.topic,
      subject: `drkit failover to ${stack.region}`,
      message: sfn.TaskInput.fromObject({
        event: 'drkit.failover',
        'execution.$': '$$.Execution.Id',
        region: stack.region,
        'dbEndpoint.$': '$.endpoint.host',
        'postChecksPassed.$': '$.outcome.passed',
        'primaryHealth.$': '$.primaryHealth.statuses',
        rtoTargetMinutes: props.rtoTargetMinutes ?? 30,
      }),
      resultSelector: { 'messageId.$': '$.MessageId' },
      resultPath: '$.notify',
    });
    const passed = new sfn.Pass(this, 'PostChecksPassed', {
      result: sfn.Result.fromObject({ passed: true }),
      resultPath: '$.outcome',
    }).next(notify);
    const failed = new sfn.Pass(this, 'PostChecksFailed', {
      result: sfn.Result.fromObject({ passed: false }),
      resultPath: '$.outcome',
    }).next(notify);
    const postOk = sfn.Condition.and(
      sfn.Condition.isPresent('$.postChecks.statuses[0]'),
      sfn.Condition.stringMatches('$.postChecks.statuses[0]', 'Success*'),
    );
    const waitPost = this.pollLoop(
      'PostChecks',
      postChecks,
      postOk,
      pollSeconds,
      maxPolls,
      passed,
      failed,
    );
    notify.next(
      new sfn.Choice(this, 'Outcome')
        .when(
          sfn.Condition.booleanEquals('$.outcome.passed', true),
          new sfn.Succeed(this, 'FailoverComplete'),
        )
        .otherwise(
          new sfn.Fail(this, 'FailoverUnverified', {
            error: 'PostChecksFailed',
            cause: '/dbcheck never turned healthy in B',
          }),
        ),
    );
    flip.next(waitPost);
    buildEndpoint.next(stopReplication);
    updateSecrets.next(rotateConfig).next(scale).next(waitEcs);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(loadPlan.next(checkPrimary).next(confirm)),
      timeout: Duration.minutes(Math.max(60, 2 * (props.rtoTargetMinutes ?? 30))),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    NagSuppressions.addResourceSuppressions(
      this.stateMachine,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Log delivery and X-Ray actions only exist on "*"; snapshot copies made by AWS Backup have generated names (snapshot:*); the secret is matched by its 6-character suffix; FailoverGlobalCluster authorizes against the global cluster and every member cluster.',
        },
      ],
      true,
    );
  }

  /**
   * `Wait → check → done?` with a counter: `<label>PollInit` sets it to 0, each miss adds one,
   * and `maxPolls` misses go to `onGiveUp`. The first state entered is the init Pass.
   */
  private pollLoop(
    label: string,
    check: sfn.TaskStateBase,
    done: sfn.Condition,
    pollSeconds: number,
    maxPolls: number,
    next: sfn.IChainable,
    onGiveUp: sfn.IChainable,
  ): sfn.IChainable {
    const counter = `$.polls.${label}`;
    const init = new sfn.Pass(this, `${label}PollInit`, {
      result: sfn.Result.fromObject({ count: 0 }),
      resultPath: counter,
    });
    const wait = new sfn.Wait(this, `${label}PollWait`, {
      time: sfn.WaitTime.duration(Duration.seconds(pollSeconds)),
    });
    const count = new sfn.Pass(this, `${label}PollCount`, {
      parameters: { 'count.$': `States.MathAdd(${counter}.count, 1)` },
      resultPath: counter,
    });
    const giveUp = new sfn.Choice(this, `${label}PollGiveUp`)
      .when(sfn.Condition.numberGreaterThanEquals(`${counter}.count`, maxPolls), onGiveUp)
      .otherwise(wait);
    init
      .next(wait)
      .next(check)
      .next(
        new sfn.Choice(this, `${label}PollDone`).when(done, next).otherwise(count.next(giveUp)),
      );
    return init;
  }
}
