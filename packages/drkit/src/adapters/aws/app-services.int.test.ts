import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  GetResourcesCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AdminCreateUserCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  PutItemCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
  UsageError,
} from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { createRole, startMotoClients, stopMotoClients, zipOf } from '../../testing/moto.js';
import { ApiGatewayStages } from './api-gateway-stages.js';
import { AwsClients } from './clients.js';
import { CognitoIdentity } from './cognito-identity.js';
import { DynamoDbKeyValue } from './dynamodb-key-value.js';
import { EcsCompute } from './ecs-compute.js';
import { LambdaFunctions } from './lambda-functions.js';

let moto: MotoServer;
let clients: AwsClients;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('EcsCompute on moto', () => {
  it('GIVEN the warm service in B at 1 task WHEN scale(B, 3) THEN desired = running = 3 after the stable wait', async () => {
    const ecs = clients.ecs('us-west-2');
    await ecs.send(new CreateClusterCommand({ clusterName: 'app-b' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'app',
        containerDefinitions: [
          {
            name: 'app',
            image: 'app:latest',
            memory: 512,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'app-b',
        serviceName: 'app',
        taskDefinition: 'app',
        desiredCount: 1,
      }),
    );
    const compute = new EcsCompute({
      clients,
      services: {
        'us-west-2': { cluster: 'app-b', service: 'app' },
        'us-east-1': { cluster: 'nope', service: 'app' },
      },
    });
    await compute.scale('us-west-2', 3, { timeoutMs: 60_000 });
    expect(await compute.counts('us-west-2')).toMatchObject({ desired: 3, running: 3 });
    // moto starts no tasks for a service (runningCount just follows desiredCount), so the
    // task list, addresses and health cannot be shown here
    expect(await compute.tasks('us-west-2')).toEqual([]);
    await expect(compute.scale('eu-west-1', 1)).rejects.toBeInstanceOf(UsageError);
    await expect(compute.scale('us-east-1', 1)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('LambdaFunctions on moto', () => {
  it('GIVEN the five seed-003 functions WHEN updateEnvironment(DB_CLUSTER_ARN) THEN merged into each, idempotent', async () => {
    const role = await createRole(moto.endpoint, 'radiant-lambda');
    const names = ['router', 'admin', 'billing', 'localization', 'configuration'].map(
      (f) => `radiant-production-${f}`,
    );
    for (const n of names) {
      await clients.lambda().send(
        new CreateFunctionCommand({
          FunctionName: n,
          Runtime: 'nodejs20.x',
          Role: role,
          Handler: 'index.handler',
          Code: { ZipFile: zipOf('index.js', 'exports.handler = async () => 1;') },
          Environment: {
            Variables: {
              LOG_LEVEL: 'info',
              DB_CLUSTER_ARN: 'arn:aws:rds:us-east-1:123456789012:cluster:radiant-production',
            },
          },
        }),
      );
    }
    const fns = new LambdaFunctions({ clients });
    const arn = 'arn:aws:rds:us-east-1:123456789012:cluster:radiant-dr-202511061230';
    expect((await fns.updateEnvironment(names, { DB_CLUSTER_ARN: arn })).changed).toEqual(names);
    for (const n of names)
      expect(await fns.getEnvironment(n)).toEqual({ LOG_LEVEL: 'info', DB_CLUSTER_ARN: arn });
    expect((await fns.updateEnvironment(names, { DB_CLUSTER_ARN: arn })).changed).toEqual([]);
    await expect(
      fns.updateEnvironment([...names, 'radiant-production-nope'], { X: '1' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await fns.getEnvironment(names[0]!)).not.toHaveProperty('X'); // nothing changed before the unknown name was found
  });
});

describe('DynamoDbKeyValue on moto', () => {
  it('GIVEN a table with TTL, PITR, stream, tags and auto scaling WHEN restoreToTime(latest) into a new table THEN items and every setting are there', async () => {
    const ddb = clients.dynamodb();
    await ddb.send(
      new CreateTableCommand({
        TableName: 'rate_limits',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'rate_limits',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires_at' },
      }),
    );
    for (let i = 0; i < 5; i++)
      await ddb.send(
        new PutItemCommand({
          TableName: 'rate_limits',
          Item: { pk: { S: `user-${i}` }, n: { N: String(i) } },
        }),
      );
    const aas = clients.autoscaling();
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'dynamodb',
        ResourceId: 'table/rate_limits',
        ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
        MinCapacity: 5,
        MaxCapacity: 50,
      }),
    );
    await aas.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: 'dynamodb',
        ResourceId: 'table/rate_limits',
        ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
        PolicyName: 'rate_limits-read',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'DynamoDBReadCapacityUtilization',
          },
        },
      }),
    );
    const kv = new DynamoDbKeyValue({ clients });
    await expect(
      kv.restoreToTime({ source: 'rate_limits', target: 'latest', newTable: 'x' }),
    ).rejects.toBeInstanceOf(PreconditionError); // PITR off
    await kv.enablePitr('rate_limits');
    const src = await kv.describeTable('rate_limits');
    expect(src).toMatchObject({
      pitr: true,
      ttlAttribute: 'expires_at',
      streamViewType: 'NEW_AND_OLD_IMAGES',
      tags: { team: 'platform' },
    });

    const r = await kv.restoreToTime({
      source: 'rate_limits',
      target: 'latest',
      newTable: 'rate_limits_restore_1',
    });
    expect(r.reapplied).toEqual(['ttl', 'pitr', 'stream', 'tags', 'autoscaling']);
    expect(r.table).toMatchObject({
      name: 'rate_limits_restore_1',
      pitr: true,
      ttlAttribute: 'expires_at',
      streamViewType: 'NEW_AND_OLD_IMAGES',
      tags: { team: 'platform', 'drkit:restored-from': 'rate_limits' },
    });
    // moto copies the current items and ignores the restore time: the items show the copy,
    // not a point in time
    expect((await ddb.send(new ScanCommand({ TableName: 'rate_limits_restore_1' }))).Count).toBe(5);
    await expect(
      kv.restoreToTime({
        source: 'rate_limits',
        target: 'latest',
        newTable: 'rate_limits_restore_1',
      }),
    ).rejects.toBeInstanceOf(PreconditionError);
    // the window guardrail works on moto's reported window
    expect(src.window).toBeDefined();
    await expect(
      kv.restoreToTime({
        source: 'rate_limits',
        target: new Date(src.window!.earliest.getTime() - 86_400_000),
        newTable: 'y',
      }),
    ).rejects.toBeInstanceOf(OutOfWindowError);
    // moto ignores RestoreDateTime, so that the time is honoured is shown by the request the
    // SDK serialized (JSON protocol: epoch seconds)
    const bodies: string[] = [];
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const raw = (args.request as { body?: unknown }).body;
        const body =
          typeof raw === 'string'
            ? raw
            : raw instanceof Uint8Array
              ? Buffer.from(raw).toString()
              : '';
        if (body.includes('RestoreDateTime')) bodies.push(body);
        return await next(args);
      },
      { step: 'finalizeRequest', name: 'drkitCaptureRestore' },
    );
    const at = src.window!.latest; // moto reports earliest = latest = when PITR was enabled
    await kv.restoreToTime({
      source: 'rate_limits',
      target: at,
      newTable: 'rate_limits_restore_2',
    });
    expect(JSON.parse(bodies[0]!)).toEqual({
      SourceTableName: 'rate_limits',
      TargetTableName: 'rate_limits_restore_2',
      RestoreDateTime: at.getTime() / 1000,
    });
    await expect(kv.describeTable('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('ApiGatewayStages and CognitoIdentity on moto (security-breach runbook)', () => {
  it('GIVEN stage v2 WHEN throttled to zero THEN limits are 0 and the previous ones are returned for the way back', async () => {
    const apigw = clients.apigateway();
    const api = await apigw.send(new CreateRestApiCommand({ name: 'radiant' }));
    const root = (await apigw.send(new GetResourcesCommand({ restApiId: api.id }))).items!.find(
      (r) => r.path === '/',
    )!;
    await apigw.send(
      new PutMethodCommand({
        restApiId: api.id,
        resourceId: root.id,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: root.id,
        httpMethod: 'GET',
        type: 'MOCK',
      }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'v2' }));
    const stages = new ApiGatewayStages({ clients });
    expect(stages.planGetThrottle(api.id!, 'v2')).toEqual([
      `apigateway:GetStage restApiId=${api.id} stageName=v2`,
    ]);
    expect(stages.planSetThrottle(api.id!, 'v2', { rateLimit: 0, burstLimit: 0 })).toEqual([
      `apigateway:UpdateStage restApiId=${api.id} stageName=v2 patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:0},{op:replace,path:/*/*/throttling/burstLimit,value:0}]`,
    ]);
    // nothing to set: no call
    expect(
      stages.planSetThrottle(api.id!, 'v2', { rateLimit: undefined, burstLimit: undefined }),
    ).toEqual([]);
    const before = await stages.setThrottle(api.id!, 'v2', { rateLimit: 0, burstLimit: 0 });
    expect(before).toEqual({ rateLimit: undefined, burstLimit: undefined });
    expect(await stages.getThrottle(api.id!, 'v2')).toEqual({ rateLimit: 0, burstLimit: 0 });
    await expect(stages.getThrottle('nope', 'v2')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN stages with no limit of their own, cut to zero WHEN restoreThrottle(account default) THEN unset again; the setting is removed unless metrics live there; twice is harmless', async () => {
    const apigw = clients.apigateway();
    const api = await apigw.send(new CreateRestApiCommand({ name: 'radiant-default-limits' }));
    const root = (await apigw.send(new GetResourcesCommand({ restApiId: api.id }))).items!.find(
      (r) => r.path === '/',
    )!;
    await apigw.send(
      new PutMethodCommand({
        restApiId: api.id,
        resourceId: root.id,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: root.id,
        httpMethod: 'GET',
        type: 'MOCK',
      }),
    );
    const dep = await apigw.send(
      new CreateDeploymentCommand({ restApiId: api.id, stageName: 'open' }),
    );
    await apigw.send(
      new CreateStageCommand({ restApiId: api.id, stageName: 'metered', deploymentId: dep.id }),
    );
    // metrics on, throttling "not set" (-1): how Terraform's aws_api_gateway_method_settings leaves a stage
    await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: 'metered',
        patchOperations: [
          { op: 'replace', path: '/*/*/metrics/enabled', value: 'true' },
          { op: 'replace', path: '/*/*/throttling/rateLimit', value: '-1' },
          { op: 'replace', path: '/*/*/throttling/burstLimit', value: '-1' },
        ],
      }),
    );
    const sent: unknown[] = [];
    apigw.middlewareStack.add(
      (next) => async (args) => {
        const raw = (args.request as { body?: unknown }).body;
        const body =
          typeof raw === 'string'
            ? raw
            : raw instanceof Uint8Array
              ? Buffer.from(raw).toString()
              : '';
        if (body.includes('patchOperations')) sent.push(JSON.parse(body));
        return await next(args);
      },
      { step: 'finalizeRequest', name: 'drkitCaptureUpdateStage' },
    );
    const stages = new ApiGatewayStages({ clients });
    const unset = { rateLimit: undefined, burstLimit: undefined };
    for (const stage of ['open', 'metered']) {
      expect(await stages.getThrottle(api.id!, stage)).toEqual(unset);
      await stages.setThrottle(api.id!, stage, { rateLimit: 0, burstLimit: 0 });
      sent.length = 0;
      // the plan names the operations sent, in order; whether the remove is skipped (metrics
      // on 'metered') is read at run time, so the plan says so
      const [plan, ...more] = stages.planRestoreThrottle(api.id!, stage, unset);
      expect(more).toEqual([]);
      expect(plan).toBe(
        `apigateway:UpdateStage restApiId=${api.id} stageName=${stage} patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:-1},{op:replace,path:/*/*/throttling/burstLimit,value:-1},{op:remove,path:/*/*}]  # back to the account default: the stage's own limits are removed (the remove is skipped while metrics, logging or caching are set there)`,
      );
      expect(sent).toEqual([]);
      expect(await stages.restoreThrottle(api.id!, stage, unset)).toEqual({
        rateLimit: 0,
        burstLimit: 0,
      });
      expect(await stages.getThrottle(api.id!, stage)).toEqual(unset);
      const dropSetting = stage === 'open' ? [{ op: 'remove', path: '/*/*' }] : [];
      expect(sent).toEqual([
        {
          patchOperations: [
            { op: 'replace', path: '/*/*/throttling/rateLimit', value: '-1' },
            { op: 'replace', path: '/*/*/throttling/burstLimit', value: '-1' },
            ...dropSetting,
          ],
        },
      ]);
      expect(await stages.restoreThrottle(api.id!, stage, unset)).toEqual(unset);
    }
    // moto 5.2 ignores `remove` on method settings: the -1s ("not set") stay where AWS drops the setting
    const metered = await apigw.send(
      new GetStageCommand({ restApiId: api.id, stageName: 'metered' }),
    );
    expect(metered.methodSettings?.['*/*']).toMatchObject({
      metricsEnabled: true,
      throttlingRateLimit: -1,
      throttlingBurstLimit: -1,
    });
    // one limit of its own, the other the account default
    expect(
      stages.planRestoreThrottle(api.id!, 'open', { rateLimit: 25, burstLimit: undefined }),
    ).toEqual([
      `apigateway:UpdateStage restApiId=${api.id} stageName=open patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:25},{op:replace,path:/*/*/throttling/burstLimit,value:-1}]`,
    ]);
    await stages.restoreThrottle(api.id!, 'open', { rateLimit: 25, burstLimit: undefined });
    expect(await stages.getThrottle(api.id!, 'open')).toEqual({
      rateLimit: 25,
      burstLimit: undefined,
    });
    await expect(stages.restoreThrottle(api.id!, 'nope', unset)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('GIVEN 75 users (two pages) WHEN signOutAll THEN every one is signed out', async () => {
    const idp = clients.cognito();
    const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'radiant-users' }));
    const id = pool.UserPool!.Id!;
    for (let i = 0; i < 75; i++)
      await idp.send(new AdminCreateUserCommand({ UserPoolId: id, Username: `user${i}` }));
    const progress: number[] = [];
    const r = await new CognitoIdentity({ clients }).signOutAll(id, {
      onProgress: (n) => progress.push(n),
    });
    expect(r.signedOut).toBe(75);
    expect(progress.at(-1)).toBe(75);
    // the dry-run text: the 60-user pages and the sign-outs at the concurrency asked for
    expect(new CognitoIdentity({ clients }).planSignOutAll(id, { concurrency: 4 })).toEqual([
      `cognito-idp:ListUsers UserPoolId=${id} Limit=60 (every page, PaginationToken)`,
      `cognito-idp:AdminUserGlobalSignOut UserPoolId=${id} Username=<each listed user> (4 at a time)`,
    ]);
    await expect(
      new CognitoIdentity({ clients }).signOutAll('us-east-1_nope'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a pool with users WHEN describePool THEN its name and estimated users; an unknown pool is NotFoundError', async () => {
    const idp = clients.cognito();
    const id = (await idp.send(new CreateUserPoolCommand({ PoolName: 'radiant-admins' }))).UserPool!
      .Id!;
    for (let i = 0; i < 3; i++)
      await idp.send(new AdminCreateUserCommand({ UserPoolId: id, Username: `admin${i}` }));
    const cognito = new CognitoIdentity({ clients });
    expect(cognito.planDescribePool(id)).toEqual([`cognito-idp:DescribeUserPool UserPoolId=${id}`]);
    expect(await cognito.describePool(id)).toEqual({
      poolId: id,
      name: 'radiant-admins',
      estimatedUsers: 3,
    });
    const err = await cognito.describePool('us-east-1_nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain('cognito-idp:DescribeUserPool on us-east-1_nope');
  });
});
