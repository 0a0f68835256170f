import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  RestoreTableToPointInTimeCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClient,
} from '@aws-sdk/client-application-auto-scaling';
import { NotFoundError, OutOfWindowError, PreconditionError } from '../../engine/errors.js';
import type { KeyValue, KeyValueCapability, TableInfo, TableRestoreRequest, TableRestoreResult } from '../../ports/key-value.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** The key-value port on DynamoDB (one region). */
export class DynamoDbKeyValue implements KeyValue {
  readonly kind = 'aws-dynamodb';
  readonly capabilities: ReadonlySet<KeyValueCapability> = new Set<KeyValueCapability>(['pitr', 'ttl', 'streams', 'tags', 'autoscaling']);
  private readonly ddb: DynamoDBClient;
  private readonly aas: ApplicationAutoScalingClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.ddb = opts.clients.dynamodb(opts.region);
    this.aas = opts.clients.autoscaling(opts.region);
  }

  async describeTable(name: string): Promise<TableInfo> {
    const t = (await awsCall({ action: 'dynamodb:DescribeTable', resource: name }, () => this.ddb.send(new DescribeTableCommand({ TableName: name })))).Table;
    if (!t?.TableArn) throw new NotFoundError(`DynamoDB table ${name} not found`);
    const [cb, ttl, tags] = await Promise.all([
      awsCall({ action: 'dynamodb:DescribeContinuousBackups', resource: name }, () => this.ddb.send(new DescribeContinuousBackupsCommand({ TableName: name }))),
      awsCall({ action: 'dynamodb:DescribeTimeToLive', resource: name }, () => this.ddb.send(new DescribeTimeToLiveCommand({ TableName: name }))),
      awsCall({ action: 'dynamodb:ListTagsOfResource', resource: name }, () => this.ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }))),
    ]);
    const pitr = cb.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const ttlOn = ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLING';
    return {
      name,
      status: t.TableStatus ?? 'UNKNOWN',
      arn: t.TableArn,
      itemCount: t.ItemCount ?? 0,
      pitr: pitr?.PointInTimeRecoveryStatus === 'ENABLED',
      ...(pitr?.EarliestRestorableDateTime && pitr.LatestRestorableDateTime
        ? { window: { earliest: pitr.EarliestRestorableDateTime, latest: pitr.LatestRestorableDateTime } }
        : {}),
      ...(ttlOn && ttl.TimeToLiveDescription?.AttributeName ? { ttlAttribute: ttl.TimeToLiveDescription.AttributeName } : {}),
      ...(t.StreamSpecification?.StreamEnabled && t.StreamSpecification.StreamViewType ? { streamViewType: t.StreamSpecification.StreamViewType } : {}),
      tags: Object.fromEntries((tags.Tags ?? []).map((x) => [x.Key ?? '', x.Value ?? ''])),
    };
  }

  async enablePitr(name: string): Promise<void> {
    await awsCall({ action: 'dynamodb:UpdateContinuousBackups', resource: name }, () =>
      this.ddb.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
    );
  }

  async restoreToTime(req: TableRestoreRequest): Promise<TableRestoreResult> {
    const started = Date.now();
    const src = await this.describeTable(req.source);
    if (!src.pitr) throw new PreconditionError(`table ${req.source} has point-in-time recovery off`, { hint: 'enable PITR (RB-N-05 needs it on before the incident)' });
    if (req.target !== 'latest' && src.window && (req.target < src.window.earliest || req.target > src.window.latest)) {
      throw new OutOfWindowError(
        `restore target ${req.target.toISOString()} is outside the recoverable window of ${req.source}: ${src.window.earliest.toISOString()} .. ${src.window.latest.toISOString()}`,
      );
    }
    const exists = await this.describeTable(req.newTable).then(
      () => true,
      (e: unknown) => (e instanceof NotFoundError ? false : Promise.reject(e)),
    );
    if (exists) throw new PreconditionError(`table ${req.newTable} already exists`, { hint: 'restores always create a new table: choose another name' });
    await awsCall({ action: 'dynamodb:RestoreTableToPointInTime', resource: req.newTable }, () =>
      this.ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: req.source,
          TargetTableName: req.newTable,
          ...(req.target === 'latest' ? { UseLatestRestorableTime: true } : { RestoreDateTime: req.target }),
        }),
      ),
    );
    await awsCall({ action: 'dynamodb:wait table-exists', resource: req.newTable }, () =>
      waitUntilTableExists({ client: this.ddb, maxWaitTime: 3600, minDelay: 5 }, { TableName: req.newTable }),
    );
    const reapplied = await this.reapply(src, req.newTable);
    return { table: await this.describeTable(req.newTable), reapplied, durationMs: Date.now() - started };
  }

  /** Re-applies what a restore drops, from the source's settings. */
  private async reapply(src: TableInfo, table: string): Promise<string[]> {
    const done: string[] = [];
    const target = await this.describeTable(table);
    if (src.ttlAttribute) {
      await awsCall({ action: 'dynamodb:UpdateTimeToLive', resource: table }, () =>
        this.ddb.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: src.ttlAttribute } })),
      );
      done.push('ttl');
    }
    await this.enablePitr(table);
    done.push('pitr');
    if (src.streamViewType && target.streamViewType !== src.streamViewType) {
      await awsCall({ action: 'dynamodb:UpdateTable', resource: table }, () =>
        this.ddb.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: src.streamViewType as 'NEW_AND_OLD_IMAGES' } })),
      );
      done.push('stream');
    }
    const tags = Object.entries(src.tags);
    if (tags.length > 0) {
      await awsCall({ action: 'dynamodb:TagResource', resource: table }, () =>
        this.ddb.send(new TagResourceCommand({ ResourceArn: target.arn, Tags: [...tags.map(([Key, Value]) => ({ Key, Value })), { Key: 'drkit:restored-from', Value: src.name }] })),
      );
      done.push('tags');
    }
    if (await this.copyAutoScaling(src.name, table)) done.push('autoscaling');
    return done;
  }

  private async copyAutoScaling(source: string, table: string): Promise<boolean> {
    const targets = await awsCall({ action: 'application-autoscaling:DescribeScalableTargets', resource: source }, () =>
      this.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'dynamodb', ResourceIds: [`table/${source}`] })),
    );
    if (!targets.ScalableTargets?.length) return false;
    for (const t of targets.ScalableTargets) {
      await awsCall({ action: 'application-autoscaling:RegisterScalableTarget', resource: table }, () =>
        this.aas.send(
          new RegisterScalableTargetCommand({ ServiceNamespace: 'dynamodb', ResourceId: `table/${table}`, ScalableDimension: t.ScalableDimension, MinCapacity: t.MinCapacity, MaxCapacity: t.MaxCapacity }),
        ),
      );
    }
    const policies = await awsCall({ action: 'application-autoscaling:DescribeScalingPolicies', resource: source }, () =>
      this.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'dynamodb', ResourceId: `table/${source}` })),
    );
    for (const p of policies.ScalingPolicies ?? []) {
      await awsCall({ action: 'application-autoscaling:PutScalingPolicy', resource: table }, () =>
        this.aas.send(
          new PutScalingPolicyCommand({
            ServiceNamespace: 'dynamodb',
            ResourceId: `table/${table}`,
            ScalableDimension: p.ScalableDimension,
            PolicyName: p.PolicyName?.replace(source, table),
            PolicyType: p.PolicyType,
            TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration,
          }),
        ),
      );
    }
    return true;
  }
}
