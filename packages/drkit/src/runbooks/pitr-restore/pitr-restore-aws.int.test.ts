import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import {
  CreateDBClusterCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
} from '@aws-sdk/client-rds';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { bindProvider, type Provider } from '../../providers/index.js';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import { createPitrWorld } from '../../testing/rds-world.js';
import { runStep } from '../../testing/run-step.js';
import type { StepContext } from '../../engine/step.js';
import type { PitrState } from './context.js';

const ctxOf = (state: PitrState): StepContext<PitrState> => ({
  state,
  executionId: 'it-step',
  dryRun: false,
  signal: new AbortController().signal,
  progress: () => undefined,
});
import { findRunbook } from '../registry.js';
import { pitrRestore } from './index.js';

/**
 * RB-N-02 with `--provider aws`, bound exactly as the CLI binds it, on a moto server (the world
 * of `createPitrWorld`, testing/rds-world.ts): the control-plane steps run for real
 * (preflight, freeze, restore into a new cluster with its writer, swap, unfreeze) against
 * moto's RDS, Secrets Manager in two regions and Lambda.
 * moto serves no SQL, so the `validate` step — the data plane — is not run here; it runs on
 * real PostgreSQL in the lab provider's tests (pitr-restore.int.test.ts), and moto's restore
 * ignores the target time (its request shape is checked in rds-database.int.test.ts).
 */
const A = 'us-east-1';
const B = 'us-west-2';
const PASSWORD = 'Never-in-a-journal-9';
const SECRET = 'radiant-production-db';
const FUNCTIONS = ['radiant-production-router', 'radiant-production-billing'];

let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let bound: Provider;
let sourceHost: string;

beforeAll(async () => {
  // bindProvider binds in this process, with the CLI's credential chain: the environment
  motoCli = await startMotoCli({ region: A, maxAttempts: 1, processEnv: true });
  ({ clients } = motoCli);
  const w = await createPitrWorld(clients, motoCli.moto.endpoint, {
    regionA: A,
    regionB: B,
    password: PASSWORD,
    cluster: 'radiant-production',
    secret: SECRET,
    functions: FUNCTIONS,
  });
  sourceHost = w.sourceHost;
  fx = motoCli.fixture(w.config);
  bound = bindProvider('aws', fx.config, fx.dir);
});
afterAll(async () => {
  bound?.close();
  await motoCli?.stop();
});

const secretIn = async (region: string) =>
  JSON.parse(
    (await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: SECRET })))
      .SecretString!,
  ) as Record<string, unknown>;
const envOf = async (n: string) =>
  (await clients.lambda().send(new GetFunctionConfigurationCommand({ FunctionName: n })))
    .Environment?.Variables ?? {};

/** RB-N-02 bound and normalized exactly as `drkit runbook run rb-n-02 --provider aws` does. */
const prepare = (raw: Record<string, unknown>) => {
  expect(findRunbook('rb-n-02')).toBe(pitrRestore);
  return pitrRestore.prepare(raw, bound, {
    config: bound.config,
    journalDir: bound.journalDir,
  });
};

describe('rb-n-02 --provider aws: the control-plane steps on moto', () => {
  it("GIVEN the CLI's AWS binding WHEN a dry run THEN the RDS restore, both secret copies and each function are named, no password, nothing changed", async () => {
    const before = {
      a: await secretIn(A),
      b: await secretIn(B),
      fns: await Promise.all(FUNCTIONS.map(envOf)),
    };
    const r = await motoCli.run([
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
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'rds:RestoreDBClusterToPointInTime DBClusterIdentifier=radiant-dr-1 SourceDBClusterIdentifier=radiant-production UseLatestRestorableTime=true',
    );
    // no delayed replica on AWS: the dry run says the classic path runs, and why
    expect(r.stderr).toMatch(
      /path: classic — aws-rds has no delayed standby \(capability delayed-standby\)/,
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
    const prepared = await prepare({
      source: 'radiant-production',
      target: 'latest',
      newClusterId: 'radiant-dr-2',
    });
    let state = prepared.state;
    expect(state.appConfigSecret).toBe(SECRET); // aws.dbEndpointSecret, not the lab's drkit/app
    const rb = prepared.runbook;
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
    const restoreOf = async (newClusterId: string) => {
      const p = await prepare({ source: 'radiant-production', target: 'latest', newClusterId });
      return [p.runbook.steps.find((s) => s.id === 'restore-to-time')!, p.state] as const;
    };
    const again = await runStep(...(await restoreOf('radiant-dr-2')));
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
    const next = await runStep(...(await restoreOf('radiant-dr-4')));
    expect(next).toMatchObject({
      restoredClusterId: 'radiant-dr-4-2',
      abandonedClusters: ['radiant-dr-4'],
    });
  });

  it('GIVEN the app still names the source WHEN unfreeze runs first THEN refused: writes never reopen on the corrupted cluster', async () => {
    const p = await prepare({
      source: 'radiant-production',
      target: 'latest',
      newClusterId: 'radiant-dr-3',
    });
    const unfreeze = p.runbook.steps.find((s) => s.id === 'unfreeze-writes')!;
    const state = { ...p.state, restoredClusterId: 'radiant-dr-3' };
    await expect(runStep(unfreeze, state)).rejects.toThrow(
      /refusing to unfreeze: the app does not point at the restored cluster yet/,
    );
  });
  // last: it stops the source
  it('GIVEN the swap done WHEN retire-old-cluster runs THEN a manual snapshot of the source (RDS takes no full backups), then the source stopped, data kept', async () => {
    const p = await prepare({
      source: 'radiant-production',
      target: 'latest',
      newClusterId: 'radiant-dr-5',
    });
    const retire = p.runbook.steps.find((s) => s.id === 'retire-old-cluster')!;
    expect((await retire.plan({ ...ctxOf(p.state), dryRun: true })).join('\n')).toContain(
      "snapshot backup of 'radiant-production'",
    );
    const state = await runStep(retire, { ...p.state, unfrozenAt: new Date().toISOString() });
    expect(state.oldClusterBackup).toBe('pre-retire-it-step');
    const snaps = await clients
      .rds(A)
      .send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'radiant-production' }));
    expect(snaps.DBClusterSnapshots?.map((x) => x.DBClusterSnapshotIdentifier)).toContain(
      'pre-retire-it-step',
    );
    const source = (
      await clients
        .rds(A)
        .send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'radiant-production' }))
    ).DBClusters![0]!;
    expect(source.Status).toBe('stopped');
  });
});
