import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { createVersionedBucket } from '../drills/s3-world.js';
import { Journal, summarize } from '../engine/journal.js';
import { createRotationLambda, createWorld, type BreachWorld } from '../testing/breach-world.js';
import { canary, canaryFields, canaryHits, filesUnder, Printed } from '../testing/canary.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { createAppReferences, createSourceTable } from '../testing/table-world.js';

/**
 * The secrets canary (issue 15) on moto for the application runbooks, through the built CLI.
 * Every Secrets Manager secret holds a canary as its `password` and in a `dsn` URL
 * (testing/canary.ts): RB-N-05's config secret (its `apiKey` too), the security-breach
 * world's secrets — the two it rotates and one it leaves — (testing/breach-world.ts). Then,
 * dry and real, with and without `--json`: RB-N-05 (twice for real), security-breach (killed
 * after isolate-api, the state dir searched while its lock is held, then `runbook resume`),
 * security-breach-restore-access from that execution, RB-N-03 (manifest mode: no sleeps for
 * moto's one-second version times), `runbook executions`. Nothing printed and no file under
 * the fixture's directory (journals, locks, notifications log: no SNS topic is configured)
 * may hold it.
 *
 * RB-N-03 and its drill (`drkit drill s3-restore`) read no secret at all — the runbook needs
 * the object store, the CDN and the notifier only, and the drill builds its own bucket — so
 * the drill has nothing to plant and is not run here; RB-N-03 runs as the one runbook of this
 * world that only could print what it never read. The lab drills (`drill pitr`,
 * `region-failover` with or without `--partition`, `switchover`, `cutback`) each build a lab
 * of their own in their own state dir, whose app secret drkit writes itself, without a
 * password: nothing can be planted before they run, and the runbooks they drive are covered
 * on the lab by cli/secrets-canary-lab-regions.int.test.ts and
 * runbooks/pitr-restore/secrets-canary.int.test.ts.
 */
const TABLE = 'rate_limits';
const CONFIG_SECRET = 'app/config';
const FUNCTIONS = ['api-ratelimit'];
const BUCKET = 'canary-media';

let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let w: BreachWorld;
let manifest: string;
const printed = new Printed();

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  ({ clients } = motoCli);
  // first: moto's Lambda configuration (no Docker) resets the functions made before it
  const lambdaArn = await createRotationLambda(motoCli.moto, clients);
  await createSourceTable(clients, TABLE, { items: 4 });
  await createAppReferences(clients, motoCli.moto.endpoint, {
    secret: CONFIG_SECRET,
    table: TABLE,
    functions: FUNCTIONS,
    secretFields: { apiKey: canary('table-config-apiKey'), ...canaryFields('table-config') },
  });
  w = await createWorld(clients, 'canary', {
    users: 2,
    lambdaArn,
    secretFields: canaryFields('breach'),
  });
  // RB-N-03's world: two keys, each overwritten once; the manifest names their first versions
  await createVersionedBucket(clients.s3(), BUCKET, 'us-east-1');
  const lines = ['key,versionId'];
  for (const key of ['media/a.txt', 'media/b.txt']) {
    const first = await clients
      .s3()
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `good ${key}` }));
    await clients.s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'bad' }));
    lines.push(`${key},${first.VersionId!}`);
  }
  fx = motoCli.fixture({
    dynamodb: {
      configSecret: CONFIG_SECRET,
      configKey: 'tableName',
      functions: FUNCTIONS,
      envVar: 'TABLE_NAME',
    },
    breach: { apiStages: w.stages, rotateSecrets: w.secrets, userPools: [w.poolId] },
  });
  manifest = path.join(fx.dir, 'manifest.csv');
  writeFileSync(manifest, lines.join('\n') + '\n');
}, 120_000);
afterAll(() => motoCli?.stop());

/** Runs the CLI on the fixture's config, keeping what it printed. */
const cli = async (label: string, args: string[], env?: Record<string, string>) =>
  printed.keep(label, await motoCli.run(['--config', fx.configFile, ...args], env));
const run = (id: string, ...extra: string[]) => [
  'runbook',
  'run',
  id,
  '--provider',
  'aws',
  ...extra,
];
const hits = () => canaryHits(printed.texts, filesUnder(fx.dir));
const secret = async (name: string) =>
  JSON.parse(
    (await clients.secrets().send(new GetSecretValueCommand({ SecretId: name }))).SecretString!,
  ) as Record<string, unknown>;

describe('secrets canary on moto: the application runbooks through the built CLI', () => {
  it('RB-N-05: dry runs with and without --json, two real restores (text, --json)', async () => {
    const rb05 = (...extra: string[]) => run('rb-n-05', '--param', `table=${TABLE}`, ...extra);
    const dry = await cli('rb-n-05 dry', rb05('--dry-run'));
    expect(dry.code, dry.stderr).toBe(0);
    const dryJson = await cli('rb-n-05 dry json', ['--json', ...rb05('--dry-run')]);
    expect(dryJson.code, dryJson.stdout).toBe(0);
    const real = await cli('rb-n-05 real', rb05('--yes', '--param', 'newTable=rate_limits_c1'));
    expect(real.code, real.stderr).toBe(0);
    const again = await cli('rb-n-05 real json', [
      '--json',
      ...rb05('--yes', '--param', 'newTable=rate_limits_c2'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    // an operator naming a secret field as the table's key: the plan shows its value as the
    // table name the swap would replace — redacted by key, by value, or as a URL's password
    for (const key of ['password', 'dsn', 'apiKey']) {
      const wrong = await cli(`rb-n-05 dry configKey=${key}`, [
        '--json',
        ...rb05('--dry-run', '--param', `configKey=${key}`),
      ]);
      expect(wrong.code, wrong.stderr).toBe(0);
    }
    expect(hits()).toEqual([]);
    // the swap rewrote tableName and kept every other field
    expect(await secret(CONFIG_SECRET)).toEqual({
      tableName: 'rate_limits_c2',
      region: 'us-east-1',
      apiKey: canary('table-config-apiKey'),
      ...canaryFields('table-config'),
    });
  });

  it('security-breach: dry runs, a real run killed after isolate-api (lock held), resumed --json; restore-access dry and real', async () => {
    expect((await cli('sb dry', run('security-breach', '--dry-run'))).code).toBe(0);
    expect((await cli('sb dry json', ['--json', ...run('sb', '--dry-run')])).code).toBe(0);
    const killed = await cli(
      'sb real (killed)',
      run('security-breach', '--yes', '--param', 'incidentId=SEC-C'),
      { DRKIT_CRASH_AFTER_STEP: 'isolate-api' },
    );
    expect(killed.signal).toBe('SIGKILL');
    const [id] = Journal.list(fx.provider.paths.journalDir).filter((j) =>
      j.startsWith('security-breach'),
    );
    // the killed run's lock is still there: it is searched too
    expect(filesUnder(fx.provider.paths.stateDir).some((f) => /lock/.test(f))).toBe(true);
    expect(hits()).toEqual([]);

    const res = await cli('sb resume json', [
      '--json',
      'runbook',
      'resume',
      id!,
      '--provider',
      'aws',
      '--yes',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(
      summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id!}.jsonl`))).outcome,
    ).toBe('succeeded');
    const back = (...extra: string[]) =>
      run('security-breach-restore-access', '--param', `fromExecution=${id!}`, ...extra);
    expect((await cli('restore-access dry', back('--dry-run'))).code).toBe(0);
    const restored = await cli('restore-access real json', ['--json', ...back('--yes')]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(hits()).toEqual([]);
    // the secret it left alone still holds the canary (moto's rotation replaced the others')
    expect(await secret(w.bareSecret)).toMatchObject(canaryFields('breach'));
  });

  it('RB-N-03 (reads no secret): dry run and real run --json from a manifest', async () => {
    const rb03 = (...extra: string[]) =>
      run('rb-n-03', '--param', `bucket=${BUCKET}`, '--param', `manifest=${manifest}`, ...extra);
    expect((await cli('rb-n-03 dry', rb03('--dry-run'))).code).toBe(0);
    const real = await cli('rb-n-03 real json', ['--json', ...rb03('--yes')]);
    expect(real.code, real.stderr).toBe(0);
    expect(hits()).toEqual([]);
  });

  it('runbook executions, then the canary is nowhere: every command printed, every file', async () => {
    const list = await cli('executions', ['runbook', 'executions']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/security-breach-/);
    expect((await cli('executions json', ['--json', 'runbook', 'executions'])).code).toBe(0);
    expect(canaryHits({ probe: `x${canary('probe')}x` })).toHaveLength(1); // the search works
    expect(Object.keys(printed.texts).length).toBeGreaterThanOrEqual(26);
    const files = filesUnder(fx.dir);
    expect(files.filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(6);
    expect(hits()).toEqual([]);
  });
});
