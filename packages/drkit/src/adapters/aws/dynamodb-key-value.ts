import {
  CreateBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListBackupsCommand,
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
import type {
  KeyValue,
  KeyValueCapability,
  TableBackup,
  TableInfo,
  TableRestoreRequest,
  TableRestoreResult,
} from '../../ports/key-value.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** The key-value port on DynamoDB (one region). */
export class DynamoDbKeyValue implements KeyValue {
  readonly kind = 'aws-dynamodb';
  readonly capabilities: ReadonlySet<KeyValueCapability> = new Set<KeyValueCapability>([
    'pitr',
    'ttl',
    'streams',
    'tags',
    'autoscaling',
    'backups',
  ]);
  private readonly ddb: DynamoDBClient;
  private readonly aas: ApplicationAutoScalingClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.ddb = opts.clients.dynamodb(opts.region);
    this.aas = opts.clients.autoscaling(opts.region);
  }

  async describeTable(name: string): Promise<TableInfo> {
    const t = (
      await awsCall({ action: 'dynamodb:DescribeTable', resource: name }, () =>
        this.ddb.send(new DescribeTableCommand({ TableName: name })),
      )
    ).Table;
    if (!t?.TableArn) throw new NotFoundError(`DynamoDB table ${name} not found`);
    const [cb, ttl, tags] = await Promise.all([
      awsCall({ action: 'dynamodb:DescribeContinuousBackups', resource: name }, () =>
        this.ddb.send(new DescribeContinuousBackupsCommand({ TableName: name })),
      ),
      awsCall({ action: 'dynamodb:DescribeTimeToLive', resource: name }, () =>
        this.ddb.send(new DescribeTimeToLiveCommand({ TableName: name })),
      ),
      awsCall({ action: 'dynamodb:ListTagsOfResource', resource: name }, () =>
        this.ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn })),
      ),
    ]);
    const pitr = cb.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const ttlOn =
      ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' ||
      ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLING';
    const region = t.TableArn.split(':')[3];
    const replicas = (t.Replicas ?? [])
      .map((r) => r.RegionName ?? '')
      .filter((r) => r !== '' && r !== region);
    return {
      name,
      status: t.TableStatus ?? 'UNKNOWN',
      arn: t.TableArn,
      itemCount: t.ItemCount ?? 0,
      pitr: pitr?.PointInTimeRecoveryStatus === 'ENABLED',
      ...(pitr?.EarliestRestorableDateTime && pitr.LatestRestorableDateTime
        ? {
            window: {
              earliest: pitr.EarliestRestorableDateTime,
              latest: pitr.LatestRestorableDateTime,
            },
          }
        : {}),
      ...(ttlOn && ttl.TimeToLiveDescription?.AttributeName
        ? { ttlAttribute: ttl.TimeToLiveDescription.AttributeName }
        : {}),
      ...(t.StreamSpecification?.StreamEnabled && t.StreamSpecification.StreamViewType
        ? { streamViewType: t.StreamSpecification.StreamViewType }
        : {}),
      tags: Object.fromEntries((tags.Tags ?? []).map((x) => [x.Key ?? '', x.Value ?? ''])),
      ...(replicas.length > 0 ? { replicas } : {}),
      ...(t.RestoreSummary?.SourceTableArn
        ? { restoredFrom: t.RestoreSummary.SourceTableArn }
        : {}),
    };
  }

  async enablePitr(name: string): Promise<void> {
    await awsCall({ action: 'dynamodb:UpdateContinuousBackups', resource: name }, () =>
      this.ddb.send(
        new UpdateContinuousBackupsCommand({
          TableName: name,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ),
    );
  }

  async restoreToTime(req: TableRestoreRequest): Promise<TableRestoreResult> {
    const started = Date.now();
    const { src, resumed } = await this.checkRestore(req);
    if (!resumed) {
      await awsCall({ action: 'dynamodb:RestoreTableToPointInTime', resource: req.newTable }, () =>
        this.ddb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: req.source,
            TargetTableName: req.newTable,
            ...(req.target === 'latest'
              ? { UseLatestRestorableTime: true }
              : { RestoreDateTime: req.target }),
          }),
        ),
      );
    }
    await awsCall({ action: 'dynamodb:wait table-exists', resource: req.newTable }, () =>
      waitUntilTableExists(
        { client: this.ddb, maxWaitTime: 3600, minDelay: 5 },
        { TableName: req.newTable },
      ),
    );
    const reapplied = await this.reapply(src, req.newTable);
    return {
      table: await this.describeTable(req.newTable),
      reapplied,
      durationMs: Date.now() - started,
    };
  }

  async planRestoreToTime(req: TableRestoreRequest): Promise<string[]> {
    const { src, resumed } = await this.checkRestore(req);
    const n = req.newTable;
    const lines = [
      resumed
        ? `(${n} already restored from ${req.source} by this execution: RestoreTableToPointInTime is not sent again)`
        : `dynamodb:RestoreTableToPointInTime SourceTableName=${req.source} TargetTableName=${n} ${req.target === 'latest' ? 'UseLatestRestorableTime=true' : `RestoreDateTime=${req.target.toISOString()}`}`,
      `dynamodb:DescribeTable TableName=${n} (wait table-exists: until ACTIVE, up to 1 h)`,
    ];
    if (src.ttlAttribute)
      lines.push(
        `dynamodb:UpdateTimeToLive TableName=${n} TimeToLiveSpecification={Enabled=true,AttributeName=${src.ttlAttribute}} (unless already on)`,
      );
    lines.push(
      `dynamodb:UpdateContinuousBackups TableName=${n} PointInTimeRecoverySpecification={PointInTimeRecoveryEnabled=true}`,
    );
    if (src.streamViewType)
      lines.push(
        `dynamodb:UpdateTable TableName=${n} StreamSpecification={StreamEnabled=true,StreamViewType=${src.streamViewType}} (unless already so)`,
      );
    const tags = Object.entries(src.tags).map(([k, v]) => `${k}=${v}`);
    if (tags.length > 0)
      lines.push(
        `dynamodb:TagResource ResourceArn=<arn of ${n}> Tags=[${[...tags, `drkit:restored-from=${src.name}`].join(', ')}]`,
      );
    const targets = await awsCall(
      { action: 'application-autoscaling:DescribeScalableTargets', resource: req.source },
      () =>
        this.aas.send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: 'dynamodb',
            ResourceIds: [`table/${req.source}`],
          }),
        ),
    );
    for (const t of targets.ScalableTargets ?? []) {
      lines.push(
        `application-autoscaling:RegisterScalableTarget ServiceNamespace=dynamodb ResourceId=table/${n} ScalableDimension=${t.ScalableDimension} MinCapacity=${t.MinCapacity} MaxCapacity=${t.MaxCapacity}`,
      );
    }
    if (targets.ScalableTargets?.length) {
      const policies = await awsCall(
        { action: 'application-autoscaling:DescribeScalingPolicies', resource: req.source },
        () =>
          this.aas.send(
            new DescribeScalingPoliciesCommand({
              ServiceNamespace: 'dynamodb',
              ResourceId: `table/${req.source}`,
            }),
          ),
      );
      for (const p of policies.ScalingPolicies ?? []) {
        lines.push(
          `application-autoscaling:PutScalingPolicy ServiceNamespace=dynamodb ResourceId=table/${n} ScalableDimension=${p.ScalableDimension} PolicyName=${p.PolicyName?.replace(req.source, n)} PolicyType=${p.PolicyType}`,
        );
      }
    }
    return lines;
  }

  planDescribeTable(name: string): string[] {
    return [
      `dynamodb:DescribeTable, DescribeContinuousBackups, DescribeTimeToLive, ListTagsOfResource TableName=${name}`,
    ];
  }

  planCreateBackup(table: string, backupName: string): string[] {
    return [
      `dynamodb:ListBackups TableName=${table} BackupType=USER (a backup named ${backupName} is reused)`,
      `dynamodb:CreateBackup TableName=${table} BackupName=${backupName}`,
    ];
  }

  planTagTable(name: string, tags: Readonly<Record<string, string>>): string[] {
    const t = Object.entries(tags).map(([k, v]) => `${k}=${v}`);
    return [`dynamodb:TagResource ResourceArn=<arn of ${name}> Tags=[${t.join(', ')}]`];
  }

  async createBackup(table: string, backupName: string): Promise<TableBackup> {
    const existing = (await this.listBackups(table)).find(
      (b) => b.name === backupName && b.status !== 'DELETED',
    );
    if (existing) return existing;
    const out = await awsCall({ action: 'dynamodb:CreateBackup', resource: table }, () =>
      this.ddb.send(new CreateBackupCommand({ TableName: table, BackupName: backupName })),
    );
    const d = out.BackupDetails;
    return {
      arn: d?.BackupArn ?? '',
      name: d?.BackupName ?? backupName,
      table,
      status: d?.BackupStatus ?? 'CREATING',
      createdAt: d?.BackupCreationDateTime ?? new Date(),
    };
  }

  async listBackups(table: string): Promise<TableBackup[]> {
    const out: TableBackup[] = [];
    let ExclusiveStartBackupArn: string | undefined;
    do {
      const page = await awsCall({ action: 'dynamodb:ListBackups', resource: table }, () =>
        this.ddb.send(
          new ListBackupsCommand({ TableName: table, BackupType: 'USER', ExclusiveStartBackupArn }),
        ),
      );
      for (const b of page.BackupSummaries ?? []) {
        out.push({
          arn: b.BackupArn ?? '',
          name: b.BackupName ?? '',
          table: b.TableName ?? table,
          status: b.BackupStatus ?? 'UNKNOWN',
          createdAt: b.BackupCreationDateTime ?? new Date(0),
        });
      }
      ExclusiveStartBackupArn = page.LastEvaluatedBackupArn;
    } while (ExclusiveStartBackupArn);
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async tagTable(name: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const t = await this.describeTable(name);
    await awsCall({ action: 'dynamodb:TagResource', resource: name }, () =>
      this.ddb.send(
        new TagResourceCommand({
          ResourceArn: t.arn,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
  }

  /** The refusals shared by the restore and its plan; `resumed` when `newTable` is our own restore. */
  private async checkRestore(
    req: TableRestoreRequest,
  ): Promise<{ src: TableInfo; resumed: boolean }> {
    const src = await this.describeTable(req.source);
    if (!src.pitr)
      throw new PreconditionError(`table ${req.source} has point-in-time recovery off`, {
        hint: 'enable PITR (RB-N-05 needs it on before the incident)',
      });
    if (
      req.target !== 'latest' &&
      src.window &&
      (req.target < src.window.earliest || req.target > src.window.latest)
    ) {
      throw new OutOfWindowError(
        `restore target ${req.target.toISOString()} is outside the recoverable window of ${req.source}: ${src.window.earliest.toISOString()} .. ${src.window.latest.toISOString()}`,
        {
          hint: 'pick a time inside the window, or target "latest"',
          details: {
            earliest: src.window.earliest.toISOString(),
            latest: src.window.latest.toISOString(),
          },
        },
      );
    }
    const existing = await this.describeTable(req.newTable).catch((e: unknown) =>
      e instanceof NotFoundError ? undefined : Promise.reject(e),
    );
    if (!existing) return { src, resumed: false };
    if (req.resumeOwn && existing.restoredFrom === src.arn) return { src, resumed: true };
    throw new PreconditionError(`table ${req.newTable} already exists`, {
      hint: 'restores always create a new table: choose another name',
    });
  }

  /** Re-applies what a restore drops, from the source's settings. */
  private async reapply(src: TableInfo, table: string): Promise<string[]> {
    const done: string[] = [];
    const target = await this.describeTable(table);
    // UpdateTimeToLive fails on a table whose TTL is already on (a resumed restore)
    if (src.ttlAttribute && target.ttlAttribute !== src.ttlAttribute) {
      await awsCall({ action: 'dynamodb:UpdateTimeToLive', resource: table }, () =>
        this.ddb.send(
          new UpdateTimeToLiveCommand({
            TableName: table,
            TimeToLiveSpecification: { Enabled: true, AttributeName: src.ttlAttribute },
          }),
        ),
      );
    }
    if (src.ttlAttribute) done.push('ttl');
    await this.enablePitr(table);
    done.push('pitr');
    if (src.streamViewType && target.streamViewType !== src.streamViewType) {
      await awsCall({ action: 'dynamodb:UpdateTable', resource: table }, () =>
        this.ddb.send(
          new UpdateTableCommand({
            TableName: table,
            StreamSpecification: {
              StreamEnabled: true,
              StreamViewType: src.streamViewType as 'NEW_AND_OLD_IMAGES',
            },
          }),
        ),
      );
      done.push('stream');
    }
    const tags = Object.entries(src.tags);
    if (tags.length > 0) {
      await awsCall({ action: 'dynamodb:TagResource', resource: table }, () =>
        this.ddb.send(
          new TagResourceCommand({
            ResourceArn: target.arn,
            Tags: [
              ...tags.map(([Key, Value]) => ({ Key, Value })),
              { Key: 'drkit:restored-from', Value: src.name },
            ],
          }),
        ),
      );
      done.push('tags');
    }
    if (await this.copyAutoScaling(src.name, table)) done.push('autoscaling');
    return done;
  }

  private async copyAutoScaling(source: string, table: string): Promise<boolean> {
    const targets = await awsCall(
      { action: 'application-autoscaling:DescribeScalableTargets', resource: source },
      () =>
        this.aas.send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: 'dynamodb',
            ResourceIds: [`table/${source}`],
          }),
        ),
    );
    if (!targets.ScalableTargets?.length) return false;
    for (const t of targets.ScalableTargets) {
      await awsCall(
        { action: 'application-autoscaling:RegisterScalableTarget', resource: table },
        () =>
          this.aas.send(
            new RegisterScalableTargetCommand({
              ServiceNamespace: 'dynamodb',
              ResourceId: `table/${table}`,
              ScalableDimension: t.ScalableDimension,
              MinCapacity: t.MinCapacity,
              MaxCapacity: t.MaxCapacity,
            }),
          ),
      );
    }
    const policies = await awsCall(
      { action: 'application-autoscaling:DescribeScalingPolicies', resource: source },
      () =>
        this.aas.send(
          new DescribeScalingPoliciesCommand({
            ServiceNamespace: 'dynamodb',
            ResourceId: `table/${source}`,
          }),
        ),
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
