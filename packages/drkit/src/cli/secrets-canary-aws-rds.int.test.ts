import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { Journal } from '../engine/journal.js';
import { bindProvider, type Provider } from '../providers/index.js';
import { pitrRestore } from '../runbooks/pitr-restore/index.js';
import { canary, canaryFields, canaryHits, filesUnder, Printed } from '../testing/canary.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import {
  createFailoverWorld,
  createPitrWorld,
  createSwitchoverWorld,
} from '../testing/rds-world.js';
import { runStep } from '../testing/run-step.js';

/**
 * The secrets canary (issue 15) on moto for the runbooks that act on RDS, through the built
 * CLI. Every Secrets Manager secret they touch holds a canary as its `password` and in a `dsn`
 * URL (testing/canary.ts), and every cluster's master password is one too: the DB endpoint
 * secret (`aws.dbEndpointSecret`) in both regions of each world, the credentials secret
 * (`aws.dbCredentialsSecret`, read only to connect: RB-N-02's validate). Then, dry and real,
 * with and without `--json`: RB-N-01 (force=true; run again: its goal holds), the planned
 * switchover and RB-N-08 (real runs stop at moto's missing SwitchoverGlobalCluster), RB-N-02
 * (the real run stops at validate: moto serves no SQL, the credentials are read and the
 * connection fails; the control-plane steps run one by one in-process, as
 * pitr-restore-aws.int.test.ts does), `runbook executions` and `runbook resume` of the failed
 * switchover. Nothing printed and no file under any fixture's directory (journals, locks,
 * notifications log: no SNS topic is configured, so notifications land there) may hold it;
 * the secrets must still hold it afterwards (a swap keeps the fields it does not own).
 *
 * Worlds (testing/rds-world.ts) on one moto: RB-N-01's and RB-N-02's in us-east-1/us-west-2,
 * the global databases in eu-west-1/eu-central-1 (their names and ECS services overlap).
 */
const A = 'us-east-1';
const B = 'us-west-2';
const GA = 'eu-west-1';
const GB = 'eu-central-1';
const PITR_SECRET = 'radiant-production-db';

let motoCli: MotoCli;
let clients: AwsClients;
let failover: LabFixture;
let switchover: LabFixture;
let cutback: LabFixture;
let pitr: LabFixture;
let bound: Provider;
const printed = new Printed();

beforeAll(async () => {
  // RB-N-02's control-plane steps bind in this process, with the CLI's credential chain
  motoCli = await startMotoCli({ region: A, maxAttempts: 1, processEnv: true });
  ({ clients } = motoCli);
  const fw = await createFailoverWorld(clients, {
    regionA: A,
    regionB: B,
    password: canary('failover-master'),
    secretFields: canaryFields('failover-endpoint'),
    secretRegions: [A, B],
  });
  failover = motoCli.fixture(fw.aurora);
  const sw = await createSwitchoverWorld(clients, {
    regionA: GA,
    regionB: GB,
    password: canary('global-master'),
    secretFields: canaryFields('global-endpoint'),
  });
  switchover = motoCli.fixture(sw.config('core-global', 'core-a', 'core-b'));
  cutback = motoCli.fixture(sw.config('after-failover', 'fo-a', 'fo-b'));
  const pw = await createPitrWorld(clients, motoCli.moto.endpoint, {
    regionA: A,
    regionB: B,
    password: canary('pitr-master'),
    secretFields: canaryFields('pitr-endpoint'),
    cluster: 'radiant-production',
    secret: PITR_SECRET,
    functions: ['radiant-production-router'],
  });
  await clients.secrets(A).send(
    new CreateSecretCommand({
      Name: 'drkit/db-credentials', // aws.dbCredentialsSecret's default
      SecretString: JSON.stringify({ username: 'app', ...canaryFields('pitr-credentials') }),
    }),
  );
  pitr = motoCli.fixture(pw.config);
  bound = bindProvider('aws', pitr.config, pitr.dir);
});
afterAll(async () => {
  bound?.close();
  await motoCli?.stop();
});

const secretIn = async (region: string, name = 'drkit/db-endpoint') =>
  JSON.parse(
    (await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: name })))
      .SecretString!,
  ) as Record<string, unknown>;

/** Runs the CLI on `fx`'s config (`--provider aws` but to list executions), keeping what it printed. */
const cli = async (fx: LabFixture, label: string, args: string[]) =>
  printed.keep(
    label,
    await motoCli.run([
      '--config',
      fx.configFile,
      ...args,
      ...(args.includes('executions') ? [] : ['--provider', 'aws']),
    ]),
  );

/** The canary anywhere in what was printed or in a file under `fx`'s directory. */
const hits = (...fxs: LabFixture[]) =>
  canaryHits(
    printed.texts,
    fxs.flatMap((f) => filesUnder(f.dir)),
  );

describe('secrets canary on moto: the RDS runbooks through the built CLI', () => {
  it('RB-N-01: dry run, dry run --json, the real failover --json, run again (goal holds)', async () => {
    const rb01 = ['runbook', 'run', 'rb-n-01', '--param', 'force=true'];
    expect((await cli(failover, 'rb-n-01 dry', [...rb01, '--dry-run'])).code).toBe(0);
    expect((await cli(failover, 'rb-n-01 dry json', ['--json', ...rb01, '--dry-run'])).code).toBe(
      0,
    );
    const real = await cli(failover, 'rb-n-01 real json', ['--json', ...rb01, '--yes']);
    expect(real.code, real.stderr).toBe(0);
    const again = await cli(failover, 'failover again', ['failover', '--force', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already failed over/);
    expect(hits(failover)).toEqual([]);
    // the secret was read and rewritten in both regions, and still holds every field
    for (const region of [A, B])
      expect(await secretIn(region)).toMatchObject({
        dbClusterId: 'core-b',
        ...canaryFields('failover-endpoint'),
      });
  });

  it('switchover and RB-N-08: dry runs with and without --json; the real runs stop at moto', async () => {
    expect((await cli(switchover, 'switchover dry', ['switchover', '--dry-run'])).code).toBe(0);
    expect(
      (await cli(switchover, 'switchover dry json', ['--json', 'switchover', '--dry-run'])).code,
    ).toBe(0);
    const real = await cli(switchover, 'switchover real json', [
      '--json',
      'runbook',
      'run',
      'switchover',
      '--yes',
    ]);
    expect(real.code).not.toBe(0);
    expect(real.stdout).toMatch(/SwitchoverGlobalCluster/);
    expect((await cli(cutback, 'cutback dry', ['cutback', '--dry-run'])).code).toBe(0);
    expect(
      (await cli(cutback, 'rb-n-08 dry json', ['--json', 'runbook', 'run', 'rb-n-08', '--dry-run']))
        .code,
    ).toBe(0);
    const back = await cli(cutback, 'rb-n-08 real', ['runbook', 'run', 'rb-n-08', '--yes']);
    expect(back.code).not.toBe(0);
    expect(back.stderr).toMatch(/switchover-database/);
    expect(hits(switchover, cutback)).toEqual([]);
    for (const region of [GA, GB])
      expect(await secretIn(region)).toMatchObject({
        global_readonly: true,
        ...canaryFields('global-endpoint'),
      });
  });

  it('runbook executions (text and --json) and runbook resume of the failed switchover', async () => {
    const [id] = Journal.list(switchover.provider.paths.journalDir);
    const list = await cli(switchover, 'executions', ['runbook', 'executions']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(id!);
    expect(
      (await cli(switchover, 'executions json', ['--json', 'runbook', 'executions'])).code,
    ).toBe(0);
    const res = await cli(switchover, 'resume json', ['--json', 'runbook', 'resume', id!, '--yes']);
    expect(res.code).not.toBe(0);
    expect(res.stdout).toMatch(/SwitchoverGlobalCluster/);
    const resText = await cli(switchover, 'resume', ['runbook', 'resume', id!, '--yes']);
    expect(resText.code).not.toBe(0);
    expect(hits(switchover)).toEqual([]);
  });

  it('RB-N-02: the control-plane steps one by one (state holds no secret), dry runs, the real run stopping at validate', async () => {
    const prepared = await pitrRestore.prepare(
      { source: 'radiant-production', target: 'latest', newClusterId: 'radiant-dr-1' },
      bound,
      { config: bound.config, journalDir: bound.journalDir },
    );
    let state = prepared.state;
    for (const step of prepared.runbook.steps) {
      // validate is the data plane (moto serves no SQL); retire asks RDS for a 'full' backup,
      // which the RDS adapter refuses (snapshots only): neither runs on moto
      if (step.id === 'validate' || step.id === 'retire-old-cluster') continue;
      state = await runStep(step, state, 'canary-in-process');
      expect(canaryHits({ [`state after ${step.id}`]: JSON.stringify(state) })).toEqual([]);
    }
    for (const region of [A, B])
      expect(await secretIn(region, PITR_SECRET)).toMatchObject({
        dbClusterId: 'radiant-dr-1',
        global_readonly: false,
        ...canaryFields('pitr-endpoint'),
      });

    const rb02 = [
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=radiant-dr-1',
      '--param',
      'target=latest',
    ];
    expect((await cli(pitr, 'rb-n-02 dry', [...rb02, '--dry-run'])).code).toBe(0);
    expect((await cli(pitr, 'rb-n-02 dry json', ['--json', ...rb02, '--dry-run'])).code).toBe(0);
    const real = await cli(pitr, 'rb-n-02 real json', [
      '--json',
      ...rb02,
      '--param',
      'newClusterId=radiant-dr-2',
      '--yes',
    ]);
    expect(real.code).not.toBe(0);
    const [id] = Journal.list(pitr.provider.paths.journalDir);
    const steps = Journal.read(`${pitr.provider.paths.journalDir}/${id!}.jsonl`).flatMap((e) =>
      e.type === 'step-end' ? [[e.step, e.outcome]] : [],
    );
    expect(steps.at(-1)).toEqual(['validate', 'failed']);
    const realText = await cli(pitr, 'rb-n-02 resume', ['runbook', 'resume', id!, '--yes']);
    expect(realText.code).not.toBe(0);
    expect(hits(pitr)).toEqual([]);
  });

  it('the canary is nowhere: every command printed and every file under each fixture', () => {
    expect(canaryHits({ probe: `x${canary('probe')}x` })).toHaveLength(1); // the search works
    expect(Object.keys(printed.texts).length).toBeGreaterThan(30);
    const files = [failover, switchover, cutback, pitr].flatMap((f) => filesUnder(f.dir));
    expect(files.filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(4);
    expect(hits(failover, switchover, cutback, pitr)).toEqual([]);
  });
});
