import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { DynamoDbKeyValue } from '../../adapters/aws/dynamodb-key-value.js';
import { LambdaFunctions } from '../../adapters/aws/lambda-functions.js';
import { SecretsManagerSecrets } from '../../adapters/aws/secrets-manager-secrets.js';
import { Journal, summarize } from '../../engine/journal.js';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import {
  createAppReferences,
  createSourceTable,
  dumpState,
  scanAll,
} from '../../testing/table-world.js';

/**
 * `drkit runbook run rb-n-05 --provider aws` end to end through the built CLI against a moto
 * server started here, with the swap targets from config (`aws.dynamodb`). moto ignores the
 * restore time (MOTO-NOTES): time-honouring is checked on the request shape in
 * table-restore.int.test.ts; here target=latest.
 */
const table = 'rate_limits';
const secret = 'app/config';
const functions = ['api-ratelimit', 'api-admin'];
const refs = { secret, functions };

let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let bare: LabFixture;

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  ({ clients } = motoCli);
  await createSourceTable(clients, table);
  await createAppReferences(clients, motoCli.moto.endpoint, { secret, table, functions });
  fx = motoCli.fixture({
    dynamodb: { configSecret: secret, configKey: 'tableName', functions, envVar: 'TABLE_NAME' },
  });
  bare = motoCli.bareFixture();
});
afterAll(() => motoCli?.stop());

const rb05 = (...extra: string[]) => [
  '--config',
  fx.configFile,
  'runbook',
  'run',
  'rb-n-05',
  '--provider',
  'aws',
  '--param',
  `table=${table}`,
  ...extra,
];
const journalOf = (id: string) =>
  summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)));

describe('rb-n-05 --provider aws (moto)', () => {
  it('GIVEN a table WHEN --dry-run --json THEN the plan is on stderr, the state (generated names, config swap targets) on stdout, and nothing changes', async () => {
    const before = await dumpState(clients, refs);
    const r = await motoCli.run(['--json', ...rb05('--dry-run')]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      provider: string;
      dryRun: boolean;
      state: Record<string, unknown>;
    };
    expect(out).toMatchObject({
      provider: 'aws',
      dryRun: true,
      state: {
        table,
        target: 'latest',
        configSecret: secret,
        configKey: 'tableName',
        functions,
        envVar: 'TABLE_NAME',
        archive: true,
      },
    });
    const newTable = out.state.newTable as string;
    expect(newTable).toMatch(/^rate_limits_restore_\d{10}$/);
    expect(r.stderr).toContain(
      `dynamodb:RestoreTableToPointInTime SourceTableName=${table} TargetTableName=${newTable} UseLatestRestorableTime=true`,
    );
    expect(r.stderr).toContain(
      `lambda:UpdateFunctionConfiguration FunctionName=api-ratelimit Environment.Variables={…current kept, TABLE_NAME=${newTable}}`,
    );
    expect(r.stderr).toContain(
      `dynamodb:CreateBackup TableName=${table} BackupName=${out.state.backupName as string}`,
    );
    expect(await dumpState(clients, refs)).toEqual(before);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
  });

  it('GIVEN bad input or a lab without moto THEN the exit code of the error, and nothing changes', async () => {
    const before = await dumpState(clients, refs);
    const unknown = await motoCli.run([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'dynamodb-restore',
      '--provider',
      'aws',
      '--yes',
      '--param',
      'table=nope_table',
    ]);
    expect(unknown.code, unknown.stderr).toBe(3);
    expect(unknown.stderr).toContain("source table 'nope_table' not found");
    const future = await motoCli.run(rb05('--yes', '--param', 'target=2999-01-01T00:00:00Z'));
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/in the future/);
    const lab = await motoCli.run([
      '--config',
      bare.configFile,
      'runbook',
      'run',
      'table-restore',
      '--provider',
      'lab',
      '--dry-run',
      '--param',
      `table=${table}`,
    ]);
    expect(lab.code).toBe(5);
    expect(lab.stderr).toMatch(/lab provider has no DynamoDB/);
    expect(lab.stderr).toContain('aws.endpoint');
    expect(await dumpState(clients, refs)).toEqual(before);
  });

  it('GIVEN a table WHEN run with --yes THEN restored, swapped (from config), backed up; the old table kept', async () => {
    const r = await motoCli.run(rb05('--yes', '--param', 'newTable=rate_limits_cli'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/succeeded/);
    expect(await scanAll(clients, 'rate_limits_cli')).toEqual(await scanAll(clients, table));
    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toMatchObject({
      tableName: 'rate_limits_cli',
    });
    for (const f of functions)
      expect((await new LambdaFunctions({ clients }).getEnvironment(f)).TABLE_NAME).toBe(
        'rate_limits_cli',
      );
    expect(await new DynamoDbKeyValue({ clients }).listBackups(table)).toHaveLength(1);
    expect(await new DynamoDbKeyValue({ clients }).describeTable(table)).toMatchObject({
      status: 'ACTIVE',
      tags: { 'drkit:superseded-by': 'rate_limits_cli' },
    });
  });

  it('GIVEN a crash after verify-table (SIGKILL) WHEN resumed THEN it finishes without running a completed step again', async () => {
    const r = await motoCli.run(
      rb05(
        '--yes',
        '--param',
        'newTable=rate_limits_crash',
        '--param',
        'backupName=rate_limits_before_crash',
      ),
      { DRKIT_CRASH_AFTER_STEP: 'verify-table' },
    );
    expect(r.signal).toBe('SIGKILL');
    const id = Journal.list(fx.provider.paths.journalDir).find(
      (j) => journalOf(j).params.newTable === 'rate_limits_crash',
    )!;
    expect(journalOf(id).outcome).toBe('incomplete');
    expect([...journalOf(id).completed]).toEqual(['preflight', 'restore-table', 'verify-table']);
    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toMatchObject({
      tableName: 'rate_limits_cli',
    }); // not swapped yet

    const res = await motoCli.run([
      '--config',
      fx.configFile,
      'runbook',
      'resume',
      id,
      '--provider',
      'aws',
      '--yes',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('restore-table already completed (journal): not run again');
    expect(journalOf(id).outcome).toBe('succeeded');
    const starts: Record<string, number> = {};
    for (const rec of Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)))
      if (rec.type === 'step-start') starts[rec.step] = (starts[rec.step] ?? 0) + 1;
    expect(Object.values(starts).every((n) => n === 1)).toBe(true);
    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toMatchObject({
      tableName: 'rate_limits_crash',
    });
    expect(journalOf(id).state).toMatchObject({ previousConfigValue: 'rate_limits_cli' }); // the way back
    expect(
      (await new DynamoDbKeyValue({ clients }).listBackups(table)).map((b) => b.name),
    ).toContain('rate_limits_before_crash');
  });
});
