import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from 'aws-cdk-lib';
import {
  ECSClient,
  CreateClusterCommand,
  RegisterTaskDefinitionCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
} from '@aws-sdk/client-ecs';
import {
  RDSClient,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import {
  Route53Client,
  CreateHostedZoneCommand,
  CreateHealthCheckCommand,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  SFNClient,
  CreateStateMachineCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
} from '@aws-sdk/client-sfn';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startMotoServer,
  MOTO_CREDENTIALS,
  type MotoServer,
} from '../../drkit/src/lab/moto-server.js';
import { buildDrkitApp } from '../src/drkit-app.js';
import { makeResolver, toBotoCasing } from './support/asl.js';

const ACCOUNT = '123456789012'; // moto's default account, so ARNs in the definition match
const A = 'ap-southeast-2';
const B = 'us-west-2';
const ZONE_PLACEHOLDER = 'Z0000000000DRKITEXAMPLE';

/** Signs nothing: moto reads only the region from the credential scope. */
async function ssmCall(
  endpoint: string,
  target: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${target}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${B}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  return (await r.json()) as Record<string, unknown>;
}

describe('failover state machine on moto (synthesized ASL, rds-postgres, promote path)', () => {
  let moto: MotoServer;
  let hook: Server;
  const notifications: string[] = [];
  const cfg = (region: string) => ({ region, endpoint: '', credentials: MOTO_CREDENTIALS });

  beforeAll(async () => {
    moto = await startMotoServer();
    await moto.configure({ stepfunctions: { execute_state_machine: true } });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        notifications.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    hook?.close();
  });

  it('GIVEN moto holds A/B resources WHEN the synthesized machine runs with force THEN it reaches Notify and every call took effect', async () => {
    const c = (region: string) => ({ ...cfg(region), endpoint: moto.endpoint });
    const rdsA = new RDSClient(c(A));
    const rdsB = new RDSClient(c(B));
    const r53 = new Route53Client(c('us-east-1'));
    const smB = new SecretsManagerClient(c(B));
    const ecsB = new ECSClient(c(B));
    const snsB = new SNSClient(c(B));
    const sfnB = new SFNClient(c(B));

    // GIVEN the resources the definition names, created in moto
    await rdsA.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'drkit-primary',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.medium',
        AllocatedStorage: 20,
        MasterUsername: 'drkit_admin',
        MasterUserPassword: 'not-a-secret-1',
      }),
    );
    await rdsB.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'drkit-replica',
        SourceDBInstanceIdentifier: `arn:aws:rds:${A}:${ACCOUNT}:db:drkit-primary`,
        DBInstanceClass: 'db.t4g.medium',
      }),
    );
    // The replica of A's endpoint secret as it exists in B.
    await smB.send(
      new CreateSecretCommand({
        Name: 'drkit/db-endpoint',
        SecretString: JSON.stringify({ host: 'drkit-primary.a.example', port: 5432 }),
      }),
    );
    await ssmCall(moto.endpoint, 'PutParameter', {
      Name: '/drkit/app/db-endpoint',
      Value: 'drkit-replica.b.example',
      Type: 'String',
    });
    await ecsB.send(new CreateClusterCommand({ clusterName: 'drkit' }));
    const td = await ecsB.send(
      new RegisterTaskDefinitionCommand({
        family: 'drkit-app',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '512',
        memory: '1024',
        containerDefinitions: [{ name: 'app', image: 'drkit/sample-app' }],
      }),
    );
    await ecsB.send(
      new CreateServiceCommand({
        cluster: 'drkit',
        serviceName: 'drkit-app',
        taskDefinition: td.taskDefinition!.taskDefinitionArn!,
        desiredCount: 1,
      }),
    );
    const zone = await r53.send(
      new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'drkit-test' }),
    );
    const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
    const hc = async (fqdn: string, path: string) =>
      (
        await r53.send(
          new CreateHealthCheckCommand({
            CallerReference: `${fqdn}${path}`,
            HealthCheckConfig: {
              Type: 'HTTP',
              FullyQualifiedDomainName: fqdn,
              ResourcePath: path,
              Port: 80,
            },
          }),
        )
      ).HealthCheck!.Id!;
    const primaryHc = await hc('alb-a.elb.example', '/healthz');
    const dbcheckHc = await hc('alb-b.elb.example', '/dbcheck');
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: 'app.example.com',
                Type: 'A',
                SetIdentifier: 'primary',
                Failover: 'PRIMARY',
                HealthCheckId: primaryHc,
                AliasTarget: {
                  HostedZoneId: 'ZALBA',
                  DNSName: 'alb-a.elb.example',
                  EvaluateTargetHealth: true,
                },
              },
            },
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: 'app.example.com',
                Type: 'A',
                SetIdentifier: 'secondary',
                Failover: 'SECONDARY',
                AliasTarget: {
                  HostedZoneId: 'ZALBB',
                  DNSName: 'alb-b.elb.example',
                  EvaluateTargetHealth: true,
                },
              },
            },
          ],
        },
      }),
    );
    const topicArn = (await snsB.send(new CreateTopicCommand({ Name: 'drkit-alarms' }))).TopicArn!;
    await snsB.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
      }),
    );

    // WHEN the app is synthesized (short polls) and the orchestration stack's definition is
    // resolved against those resources, created through the SFN API and executed
    const app = new App({ context: { account: ACCOUNT, ecsPollSeconds: 1, ecsMaxPolls: 5 } });
    const stacks = buildDrkitApp(app, { nag: false });
    const assembly = app.synth();
    const artifacts = stacks.all.map((s) => assembly.getStackByName(s.stackName));
    const orch = assembly.getStackByName(stacks.b.orchestration.stackName);
    const resolve = makeResolver(
      artifacts,
      {
        'AWS::Partition': 'aws',
        'AWS::Region': B,
        'AWS::AccountId': ACCOUNT,
        'AWS::URLSuffix': 'amazonaws.com',
      },
      (type, id, attr) => {
        if (type === 'AWS::SNS::Topic') return topicArn;
        if (type === 'AWS::ElasticLoadBalancingV2::LoadBalancer')
          return attr === 'DNSName' ? 'alb-b.elb.example' : 'ZALBB';
        if (type === 'AWS::Route53::HealthCheck')
          return id.includes('DbCheck') ? dbcheckHc : primaryHc;
        if (type === 'Custom::CrossRegionExportReader' && attr.includes('HealthCheck'))
          return primaryHc;
        if (type === 'AWS::RDS::DBSubnetGroup') return 'drkit-b-subnets';
        if (type === 'AWS::EC2::SecurityGroup') return 'sg-0drkit';
        throw new Error(`no binding for ${type} ${id}.${attr}`);
      },
    );
    const [smId] = Object.entries(orch.template.Resources as Record<string, { Type: string }>).find(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
    )!;
    const definition = resolve(
      orch.template.Resources[smId].Properties.DefinitionString,
      orch,
    ).replaceAll(ZONE_PLACEHOLDER, zoneId);
    const asl = JSON.parse(definition) as { States: Record<string, Record<string, unknown>> };
    toBotoCasing(asl);
    // moto has no StopReplicationToReplica: calling it crashes the task with States.Runtime
    // (KeyError in moto), which no Catch can take. The one state moto cannot run is bypassed
    // here; its Catch-and-continue design is covered by the assertion test of the definition.
    expect(asl.States.StopSecretReplication).toBeDefined();
    asl.States.BuildEndpoint!.Next = 'UpdateSecrets';
    delete asl.States.StopSecretReplication;
    const sm = await sfnB.send(
      new CreateStateMachineCommand({
        name: 'drkit-failover',
        definition: JSON.stringify(asl),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/drkit-failover`,
      }),
    );
    const exec = await sfnB.send(
      new StartExecutionCommand({
        stateMachineArn: sm.stateMachineArn!,
        input: JSON.stringify({ force: true }),
      }),
    );
    let status = 'RUNNING';
    let output: string | undefined;
    let error: string | undefined;
    for (let i = 0; i < 120 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const d = await sfnB.send(new DescribeExecutionCommand({ executionArn: exec.executionArn! }));
      status = d.status!;
      output = d.output;
      error = `${d.error}: ${d.cause}`;
    }
    const history = await sfnB.send(
      new GetExecutionHistoryCommand({ executionArn: exec.executionArn!, maxResults: 1000 }),
    );
    const entered = (history.events ?? [])
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name);

    // THEN it succeeded through the seed's states, Notify included
    if (process.env.DEBUG_SFN)
      for (const e of history.events ?? [])
        console.log(
          e.type,
          JSON.stringify(
            e.taskSucceededEventDetails ??
              e.taskFailedEventDetails ??
              e.stateExitedEventDetails ??
              {},
          ).slice(0, 400),
        );
    expect(status, `${error} after ${entered.join(' > ')}`).toBe('SUCCEEDED');
    for (const s of [
      'CheckPrimaryHealth',
      'DecideAuroraOrStandard',
      'PromoteReplica',
      'UpdateSecrets',
      'RotateAppConfig',
      'ScaleSecondaryECS',
      'FlipRoute53',
      'PostChecks',
      'Notify',
    ]) {
      expect(entered).toContain(s);
    }
    expect(entered.indexOf('Notify')).toBeGreaterThan(entered.indexOf('PostChecks'));
    expect(JSON.parse(output!)).toMatchObject({
      outcome: { passed: true },
      dns: { status: expect.any(String) },
    });

    // AND moto's state shows each call's effect
    const replica = (
      await rdsB.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'drkit-replica' }))
    ).DBInstances![0]!;
    // moto keeps ReadReplicaSourceDBInstanceIdentifier after promotion; the retention the
    // PromoteReplica call set is the visible effect.
    expect(replica.BackupRetentionPeriod).toBe(35);
    const secret = JSON.parse(
      (await smB.send(new GetSecretValueCommand({ SecretId: 'drkit/db-endpoint' }))).SecretString!,
    );
    expect(secret).toMatchObject({
      host: replica.Endpoint!.Address,
      region: B,
      mode: 'rds-postgres',
    });
    const param = await ssmCall(moto.endpoint, 'GetParameter', { Name: '/drkit/app/db-endpoint' });
    expect((param.Parameter as { Value: string }).Value).toBe(replica.Endpoint!.Address);
    const svc = (
      await ecsB.send(new DescribeServicesCommand({ cluster: 'drkit', services: ['drkit-app'] }))
    ).services![0]!;
    expect(svc.desiredCount).toBe(2);
    const records = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })))
      .ResourceRecordSets!;
    const primaryRecord = records.find((r) => r.SetIdentifier === 'primary')!;
    expect(primaryRecord.AliasTarget?.DNSName).toContain('alb-b.elb.example');
    await expect
      .poll(() => notifications.find((n) => n.includes('drkit.failover')), { timeout: 10_000 })
      .toBeTruthy();
  }, 300_000);
});
