import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListBackupsCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../adapters/aws/clients.js';
import { createRole } from './moto.js';

/**
 * RB-N-05's moto fixtures for its tests: a source table with every setting a restore drops,
 * the app's config secret and Lambda functions, and a dump of all of it for before/after
 * equality (a dry run changes nothing; the old table is untouched).
 */

/** Creates `name` with items, TTL, a stream, tags, read auto scaling and (unless `pitr: false`) PITR. */
export async function createSourceTable(
  clients: AwsClients,
  name: string,
  opts: { items?: number; pitr?: boolean } = {},
): Promise<void> {
  const ddb = clients.dynamodb();
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'env', Value: 'prod' },
      ],
    }),
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires_at' },
    }),
  );
  for (let i = 0; i < (opts.items ?? 8); i++) {
    await ddb.send(
      new PutItemCommand({
        TableName: name,
        Item: {
          pk: { S: `user-${i}` },
          hits: { N: String(i * 10) },
          expires_at: { N: String(2_000_000_000 + i) },
        },
      }),
    );
  }
  const aas = clients.autoscaling();
  await aas.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: 'dynamodb',
      ResourceId: `table/${name}`,
      ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
      MinCapacity: 5,
      MaxCapacity: 50,
    }),
  );
  await aas.send(
    new PutScalingPolicyCommand({
      ServiceNamespace: 'dynamodb',
      ResourceId: `table/${name}`,
      ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
      PolicyName: `${name}-read`,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 70,
        PredefinedMetricSpecification: { PredefinedMetricType: 'DynamoDBReadCapacityUtilization' },
      },
    }),
  );
  if (opts.pitr !== false)
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: name,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
}

/**
 * The app's references to the table: a config secret `{ tableName, region, apiKey }` (plus
 * `secretFields`) and Lambda functions with `TABLE_NAME` (moto stores the code without
 * unzipping it until Invoke).
 */
export async function createAppReferences(
  clients: AwsClients,
  endpoint: string,
  opts: {
    secret: string;
    table: string;
    functions: readonly string[];
    secretFields?: Record<string, unknown>;
  },
): Promise<void> {
  await clients.secrets().send(
    new CreateSecretCommand({
      Name: opts.secret,
      SecretString: JSON.stringify({
        tableName: opts.table,
        region: 'us-east-1',
        apiKey: 'not-a-real-key',
        ...opts.secretFields,
      }),
    }),
  );
  const role = await createRole(endpoint, `${opts.secret.replace(/\W/g, '-')}-role`);
  for (const f of opts.functions) {
    await clients.lambda().send(
      new CreateFunctionCommand({
        FunctionName: f,
        Runtime: 'nodejs20.x',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('not unzipped by moto before Invoke') },
        Environment: { Variables: { LOG_LEVEL: 'info', TABLE_NAME: opts.table } },
      }),
    );
  }
}

/** Every item of a table, sorted by key (for equality). */
export async function scanAll(clients: AwsClients, table: string): Promise<unknown[]> {
  const out = await clients.dynamodb().send(new ScanCommand({ TableName: table }));
  return (out.Items ?? []).sort((a, b) => String(a.pk?.S).localeCompare(String(b.pk?.S)));
}

/** One table's items and settings as moto reports them. */
export async function dumpTable(
  clients: AwsClients,
  table: string,
): Promise<Record<string, unknown>> {
  const ddb = clients.dynamodb();
  const aas = clients.autoscaling();
  const d = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table!;
  return {
    describe: d,
    ttl: (await ddb.send(new DescribeTimeToLiveCommand({ TableName: table })))
      .TimeToLiveDescription,
    backups: (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table })))
      .ContinuousBackupsDescription,
    tags: (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: d.TableArn }))).Tags,
    scalableTargets: (
      await aas.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'dynamodb',
          ResourceIds: [`table/${table}`],
        }),
      )
    ).ScalableTargets,
    scalingPolicies: (
      await aas.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: 'dynamodb',
          ResourceId: `table/${table}`,
        }),
      )
    ).ScalingPolicies,
    items: await scanAll(clients, table),
  };
}

/** Everything RB-N-05 could change: every table (dumped), backups, the secret, each function's env. */
export async function dumpState(
  clients: AwsClients,
  refs: { secret?: string; functions?: readonly string[] } = {},
): Promise<Record<string, unknown>> {
  const ddb = clients.dynamodb();
  const names = ((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).sort();
  const tables: Record<string, unknown> = {};
  for (const n of names) tables[n] = await dumpTable(clients, n);
  const env: Record<string, unknown> = {};
  for (const f of refs.functions ?? [])
    env[f] = (await clients.lambda().send(new GetFunctionConfigurationCommand({ FunctionName: f })))
      .Environment?.Variables;
  return {
    tables,
    backups: (await ddb.send(new ListBackupsCommand({}))).BackupSummaries ?? [],
    ...(refs.secret
      ? {
          secret: (
            await clients.secrets().send(new GetSecretValueCommand({ SecretId: refs.secret }))
          ).SecretString,
        }
      : {}),
    env,
  };
}
