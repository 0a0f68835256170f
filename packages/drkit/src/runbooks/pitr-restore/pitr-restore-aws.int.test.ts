import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../adapters/aws/clients.js';
import { createRole } from '../../adapters/aws/moto-fixtures.js';
import { bindProvider, type BoundProvider } from '../../cli/provider.js';
import type { Step, StepContext } from '../../engine/step.js';
import { MOTO_CREDENTIALS, startMotoServer, type MotoServer } from '../../lab/moto-server.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';
import { findRunbook } from '../registry.js';

/**
 * RB-N-02 with `--provider aws`, bound exactly as the CLI binds it, on a moto server: the
 * control-plane steps run for real (preflight, freeze, restore into a new cluster with its
 * writer, swap, unfreeze) against moto's RDS, Secrets Manager in two regions and Lambda.
 * moto serves no SQL, so the `validate` step — the data plane — is not run here; it runs on
 * real PostgreSQL in the lab provider's tests (pitr-restore.int.test.ts), and moto's restore
 * ignores the target time (its request shape is checked in rds-database.int.test.ts).
 */
const ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const A = 'us-east-1';
const B = 'us-west-2';
const PASSWORD = 'Never-in-a-journal-9';
const SECRET = 'radiant-production-db';
const FUNCTIONS = ['radiant-production-router', 'radiant-production-billing'];

let moto: MotoServer;
let clients: AwsClients;
let fx: LabFixture;
let bound: BoundProvider;
let sourceHost: string;

beforeAll(async () => {
  moto = await startMotoServer();
  clients = new AwsClients({
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
    defaultRegion: A,
    maxAttempts: 1,
  });
  const rds = clients.rds(A);
  const c = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'radiant-production',
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: PASSWORD,
      DatabaseName: 'radiant',
      BackupRetentionPeriod: 7,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'radiant-production-1',
      DBClusterIdentifier: 'radiant-production',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
  sourceHost = c.DBCluster!.Endpoint!;
  for (const region of [A, B]) {
    await clients.secrets(region).send(
      new CreateSecretCommand({
        Name: SECRET,
        SecretString: JSON.stringify({
          engine: 'postgres',
          host: sourceHost,
          port: 5432,
          username: 'app',
          password: PASSWORD,
          dbname: 'radiant',
        }),
      }),
    );
  }
  const role = await createRole(moto.endpoint, 'radiant-lambda');
  for (const n of FUNCTIONS) {
    await clients.lambda().send(
      new CreateFunctionCommand({
        FunctionName: n,
        Runtime: 'nodejs20.x',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]) },
        Environment: {
          Variables: { DB_CLUSTER_ARN: c.DBCluster!.DBClusterArn!, LOG_LEVEL: 'info' },
        },
      }),
    );
  }
  fx = makeLabFixture({
    aws: {
      endpoint: moto.endpoint,
      regionA: A,
      regionB: B,
      dbEndpointSecret: SECRET,
      dbFunctions: { names: FUNCTIONS },
      writerInstanceClass: 'db.r6g.large',
    },
  });
  Object.assign(process.env, ENV);
  bound = bindProvider('aws', fx.config, fx.dir);
});
afterAll(async () => {
  bound?.close();
  clients?.destroy();
  await fx?.cleanup();
  await moto?.stop();
});

const secretIn = async (region: string) =>
  JSON.parse(
    (await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: SECRET })))
      .SecretString!,
  ) as Record<string, unknown>;
const envOf = async (n: string) =>
  (await clients.lambda().send(new GetFunctionConfigurationCommand({ FunctionName: n })))
    .Environment?.Variables ?? {};

async function runStep<S extends object>(step: Step<S>, state: S): Promise<S> {
  const ctx: StepContext<S> = {
    state,
    executionId: 'it-aws-pitr',
    dryRun: false,
    signal: new AbortController().signal,
    progress: () => undefined,
  };
  const out = (await step.run(ctx)) ?? {};
  const next = { ...state, ...out };
  await step.verify?.({ ...ctx, state: next });
  return next;
}

describe('rb-n-02 --provider aws: the control-plane steps on moto', () => {
  it("GIVEN the CLI's AWS binding WHEN a dry run THEN the RDS restore, both secret copies and each function are named, no password, nothing changed", async () => {
    const before = {
      a: await secretIn(A),
      b: await secretIn(B),
      fns: await Promise.all(FUNCTIONS.map(envOf)),
    };
    const r = await runCli(
      [
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'rb-n-02',
        '--provider',
        'aws',
        '--param',
        'source=radiant-production',
        '--param',
        'target=latest',
        '--param',
        'newClusterId=radiant-dr-1',
        '--dry-run',
      ],
      ENV,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'rds:RestoreDBClusterToPointInTime DBClusterIdentifier=radiant-dr-1 SourceDBClusterIdentifier=radiant-production UseLatestRestorableTime=true',
    );
    expect(r.stderr).toContain(
      `put ${SECRET}: host/port -> endpoint of 'radiant-dr-1', dbClusterId=radiant-dr-1`,
    );
    for (const n of FUNCTIONS)
      expect(r.stderr).toContain(
        `lambda:UpdateFunctionConfiguration FunctionName=${n} Environment.Variables.DB_CLUSTER_ARN=<radiant-dr-1's ARN>`,
      );
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect({
      a: await secretIn(A),
      b: await secretIn(B),
      fns: await Promise.all(FUNCTIONS.map(envOf)),
    }).toEqual(before);
  });

  it('GIVEN latest WHEN preflight → freeze → restore → swap → unfreeze run THEN a new cluster with a writer, both secret copies and every function point at it, credentials kept, the source untouched', async () => {
    const entry = findRunbook('rb-n-02');
    let state = (await entry.normalize(
      { source: 'radiant-production', target: 'latest', newClusterId: 'radiant-dr-2' },
      bound.ports,
    )) as Record<string, unknown>;
    expect(state.appConfigSecret).toBe(SECRET); // aws.dbEndpointSecret, not the lab's drkit/app
    const rb = entry.create(bound.ports);
    const step = (id: string) => rb.steps.find((s) => s.id === id)!;

    state = await runStep(step('preflight'), state);
    state = await runStep(step('freeze-writes'), state);
    for (const region of [A, B])
      expect(await secretIn(region)).toMatchObject({ host: sourceHost, global_readonly: true });
    expect(JSON.stringify(state)).not.toContain(PASSWORD); // previousConfig keeps the endpoint only

    state = await runStep(step('restore-to-time'), state);
    const restored = (
      await clients
        .rds(A)
        .send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'radiant-dr-2' }))
    ).DBClusters![0]!;
    expect(
      restored.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter]),
    ).toEqual([['radiant-dr-2-writer', true]]);
    expect(state).toMatchObject({
      restoredClusterId: 'radiant-dr-2',
      restoredArn: restored.DBClusterArn,
      restoredEndpoint: { host: restored.Endpoint },
    });

    state = await runStep(step('swap-connections'), state);
    state = await runStep(step('unfreeze-writes'), state);
    for (const region of [A, B]) {
      expect(await secretIn(region)).toEqual({
        engine: 'postgres',
        host: restored.Endpoint,
        port: 5432,
        username: 'app',
        password: PASSWORD,
        dbname: 'radiant',
        dbClusterId: 'radiant-dr-2',
        global_readonly: false,
      });
    }
    for (const n of FUNCTIONS)
      expect(await envOf(n)).toEqual({ DB_CLUSTER_ARN: restored.DBClusterArn, LOG_LEVEL: 'info' });
    expect(state.functionsUpdated).toEqual(FUNCTIONS);
    const source = (
      await clients
        .rds(A)
        .send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'radiant-production' }))
    ).DBClusters![0]!;
    expect([source.Status, source.Endpoint]).toEqual(['available', sourceHost]);
  });

  it('GIVEN a run that died after the restore, before journaling it WHEN restore-to-time runs again THEN its own finished cluster is reused; a half-made one is left and the next id used', async () => {
    const entry = findRunbook('rb-n-02');
    const rb = entry.create(bound.ports);
    const restore = rb.steps.find((s) => s.id === 'restore-to-time')!;
    const again = await runStep(
      restore,
      await entry.normalize(
        { source: 'radiant-production', target: 'latest', newClusterId: 'radiant-dr-2' },
        bound.ports,
      ),
    );
    expect(again).toMatchObject({ restoredClusterId: 'radiant-dr-2', abandonedClusters: [] });
    // a cluster of that id without a writer: the restore died before CreateDBInstance
    await clients.rds(A).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'radiant-dr-4',
        Engine: 'aurora-postgresql',
        MasterUsername: 'app',
        MasterUserPassword: PASSWORD,
      }),
    );
    const next = await runStep(
      restore,
      await entry.normalize(
        { source: 'radiant-production', target: 'latest', newClusterId: 'radiant-dr-4' },
        bound.ports,
      ),
    );
    expect(next).toMatchObject({
      restoredClusterId: 'radiant-dr-4-2',
      abandonedClusters: ['radiant-dr-4'],
    });
  });

  it('GIVEN the app still names the source WHEN unfreeze runs first THEN refused: writes never reopen on the corrupted cluster', async () => {
    const entry = findRunbook('rb-n-02');
    const rb = entry.create(bound.ports);
    const unfreeze = rb.steps.find((s) => s.id === 'unfreeze-writes')!;
    const state = {
      ...(await entry.normalize(
        { source: 'radiant-production', target: 'latest', newClusterId: 'radiant-dr-3' },
        bound.ports,
      )),
      restoredClusterId: 'radiant-dr-3',
    };
    await expect(runStep(unfreeze, state)).rejects.toThrow(
      /refusing to unfreeze: the app does not point at the restored cluster yet/,
    );
  });
});
