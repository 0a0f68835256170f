import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateTableCommand, RestoreTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { DynamoDbKeyValue } from '../../adapters/aws/dynamodb-key-value.js';
import { LambdaFunctions } from '../../adapters/aws/lambda-functions.js';
import { startMotoClients, stopMotoClients } from '../../adapters/aws/moto-fixtures.js';
import { SecretsManagerSecrets } from '../../adapters/aws/secrets-manager-secrets.js';
import {
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
  UsageError,
} from '../../engine/errors.js';
import { execute, resume, type ExecutorEvent } from '../../engine/executor.js';
import type { MotoServer } from '../../lab/moto-server.js';
import type { KeyValue } from '../../ports/key-value.js';
import type { Notification, Notifier } from '../../ports/notifier.js';
import {
  createTableRestoreRunbook,
  TableRestoreParamsSchema,
  withGeneratedNames,
  type TableRestoreDeps,
  type TableRestoreState,
} from './index.js';
import {
  createAppReferences,
  createSourceTable,
  dumpState,
  dumpTable,
  scanAll,
} from './moto-fixture.js';

/**
 * RB-N-05 on a moto server. moto copies the source's CURRENT items on
 * RestoreTableToPointInTime and ignores the restore time (MOTO-NOTES), so the restored items
 * prove the copy and the settings, not time travel; that a time target is honoured is shown by
 * the request the SDK sent (RestoreDateTime), the window guardrail by moto's reported window.
 */
class RecordingNotifier implements Notifier {
  readonly kind = 'recording';
  readonly sent: Notification[] = [];
  async notify(msg: Notification): Promise<void> {
    this.sent.push(msg);
  }
}

let moto: MotoServer;
let clients: AwsClients;
const journalDir = mkdtempSync(path.join(tmpdir(), 'drkit-rb-n-05-'));
const table = 'rate_limits';
const secret = 'app/config';
const functions = ['api-ratelimit', 'api-admin'];
const refs = { secret, functions };

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  await createSourceTable(clients, table);
  await createSourceTable(clients, 'sessions_nopitr', { items: 2, pitr: false });
  await createAppReferences(clients, moto.endpoint, { secret, table, functions });
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

function deps(
  extra: Partial<TableRestoreDeps> = {},
): TableRestoreDeps & { notifier: RecordingNotifier } {
  return {
    keyValue: new DynamoDbKeyValue({ clients }),
    secrets: new SecretsManagerSecrets({ clients }),
    functions: new LambdaFunctions({ clients }),
    notifier: new RecordingNotifier(),
    ...extra,
  } as TableRestoreDeps & { notifier: RecordingNotifier };
}

function params(extra: Record<string, unknown> = {}): TableRestoreState {
  return withGeneratedNames(
    TableRestoreParamsSchema.parse({
      table,
      configSecret: secret,
      configKey: 'tableName',
      functions: functions.join(','),
      envVar: 'TABLE_NAME',
      ...extra,
    }),
  ) as TableRestoreState;
}

describe('RB-N-05 on moto', () => {
  it('GIVEN a table WHEN --dry-run THEN every API call is listed with its parameters and nothing in moto changes', async () => {
    const d = deps();
    const before = await dumpState(clients, refs);
    const events: ExecutorEvent[] = [];
    const p = params({ newTable: 'rate_limits_restore_dry' });
    await execute(createTableRestoreRunbook(d), p, {
      journalDir,
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    expect(await dumpState(clients, refs)).toEqual(before);
    expect(d.notifier.sent).toEqual([]);
    const plan = (step: string) =>
      events.find(
        (e): e is Extract<ExecutorEvent, { type: 'plan' }> => e.type === 'plan' && e.step === step,
      )!;
    expect(plan('preflight').lines.join('\n')).toMatch(
      /found: ACTIVE, 8 items, PITR on .*TTL expires_at, stream NEW_AND_OLD_IMAGES, tags team=platform,env=prod/,
    );
    expect(plan('preflight').lines).toContain(
      'aws-secrets-manager: secretsmanager:GetSecretValue SecretId=app/config: tableName=rate_limits',
    );
    expect(plan('restore-table')).toMatchObject({ destructive: true });
    const restore = plan('restore-table').lines;
    expect(restore).toContain(
      'aws-dynamodb: dynamodb:RestoreTableToPointInTime SourceTableName=rate_limits TargetTableName=rate_limits_restore_dry UseLatestRestorableTime=true',
    );
    expect(restore).toContain(
      'aws-dynamodb: dynamodb:UpdateTimeToLive TableName=rate_limits_restore_dry TimeToLiveSpecification={Enabled=true,AttributeName=expires_at} (unless already on)',
    );
    expect(restore.join('\n')).toContain(
      'dynamodb:TagResource ResourceArn=<arn of rate_limits_restore_dry> Tags=[team=platform, env=prod, drkit:restored-from=rate_limits]',
    );
    expect(restore.join('\n')).toContain(
      'application-autoscaling:RegisterScalableTarget ServiceNamespace=dynamodb ResourceId=table/rate_limits_restore_dry ScalableDimension=dynamodb:table:ReadCapacityUnits MinCapacity=5 MaxCapacity=50',
    );
    expect(restore.join('\n')).toContain('PolicyName=rate_limits_restore_dry-read');
    expect(plan('swap-references')).toMatchObject({ destructive: true });
    expect(plan('swap-references').lines.join('\n')).toContain(
      'PutSecretValue SecretId=app/config SecretString={…other keys kept, "tableName": "rate_limits_restore_dry"}',
    );
    expect(plan('swap-references').lines.join('\n')).toContain(
      'lambda:UpdateFunctionConfiguration FunctionName=api-admin Environment.Variables={…current kept, TABLE_NAME=rate_limits_restore_dry}',
    );
    expect(plan('archive-old-table').lines).toContain(
      `aws-dynamodb: dynamodb:CreateBackup TableName=rate_limits BackupName=${p.backupName}`,
    );
  });

  it('GIVEN a table WHEN run THEN the new table has the items and every setting, the app points at it, the old table is backed up and otherwise untouched', async () => {
    const d = deps();
    const oldBefore = await dumpTable(clients, table);
    const p = params();
    expect(p.newTable).toMatch(/^rate_limits_restore_\d{10}$/); // the seed's name
    const res = await execute(createTableRestoreRunbook(d), p, { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    const n = p.newTable;
    expect(res.state).toMatchObject({
      reapplied: ['ttl', 'pitr', 'stream', 'tags', 'autoscaling'],
      verifiedSettings: ['pitr', 'ttl', 'stream', 'tags'],
      sourceItemCount: 8,
      newItemCount: 8,
      previousConfigValue: table,
      previousFunctionEnv: { 'api-ratelimit': table, 'api-admin': table },
      swappedFunctions: functions,
    });
    expect(await scanAll(clients, n)).toEqual(await scanAll(clients, table));
    const kv = new DynamoDbKeyValue({ clients });
    expect(await kv.describeTable(n)).toMatchObject({
      status: 'ACTIVE',
      pitr: true,
      ttlAttribute: 'expires_at',
      streamViewType: 'NEW_AND_OLD_IMAGES',
      tags: { team: 'platform', env: 'prod', 'drkit:restored-from': table },
    });
    const st = await clients.autoscaling().send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'dynamodb',
        ResourceIds: [`table/${n}`],
      }),
    );
    expect(st.ScalableTargets?.[0]).toMatchObject({ MinCapacity: 5, MaxCapacity: 50 });

    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toEqual({
      tableName: n,
      region: 'us-east-1',
      apiKey: 'not-a-real-key',
    });
    for (const f of functions)
      expect(await new LambdaFunctions({ clients }).getEnvironment(f)).toEqual({
        LOG_LEVEL: 'info',
        TABLE_NAME: n,
      });

    const backups = await kv.listBackups(table);
    expect(backups.map((b) => b.name)).toEqual([p.backupName]);
    expect(res.state.backupArn).toBe(backups[0]!.arn);
    // the old table: same items and settings; only drkit's archive tags were added
    const oldAfter = await dumpTable(clients, table);
    const { tags: tagsAfter, ...restAfter } = oldAfter;
    const { tags: tagsBefore, ...restBefore } = oldBefore;
    expect(restAfter).toEqual(restBefore);
    expect(
      (tagsAfter as Array<{ Key: string }>).filter((t) => !t.Key.startsWith('drkit:')),
    ).toEqual(tagsBefore);
    expect(await kv.describeTable(table)).toMatchObject({
      tags: {
        'drkit:archived-backup': backups[0]!.arn,
        'drkit:superseded-by': n,
        'drkit:execution': res.executionId,
      },
    });
    expect(d.notifier.sent[0]?.body).toContain(
      `to revert set secret app/config tableName=rate_limits; lambda api-ratelimit TABLE_NAME=rate_limits`,
    );

    // put things back for the next tests
    await new SecretsManagerSecrets({ clients }).put(secret, {
      tableName: table,
      region: 'us-east-1',
      apiKey: 'not-a-real-key',
    });
    await new LambdaFunctions({ clients }).updateEnvironment(functions, { TABLE_NAME: table });
  });

  it('GIVEN an ISO target WHEN run THEN RestoreDateTime is sent (moto ignores it: checked on the request shape)', async () => {
    const kv = new DynamoDbKeyValue({ clients });
    const w = (await kv.describeTable(table)).window!; // moto: earliest = latest = when PITR was enabled
    const bodies: string[] = [];
    const ddb = clients.dynamodb();
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const raw = (args.request as { body?: unknown }).body;
        const body =
          typeof raw === 'string'
            ? raw
            : raw instanceof Uint8Array
              ? Buffer.from(raw).toString()
              : '';
        if (body.includes('"TargetTableName"')) bodies.push(body);
        return await next(args);
      },
      { step: 'finalizeRequest', name: 'drkitCaptureRb05' },
    );
    try {
      const p = params({
        target: w.latest.toISOString(),
        newTable: 'rate_limits_at',
        configSecret: undefined,
        configKey: undefined,
        functions: undefined,
        envVar: undefined,
        archive: 'false',
      });
      const res = await execute(createTableRestoreRunbook(deps()), p, { journalDir, yes: true });
      expect(res.state).toMatchObject({
        restoredTo: w.latest.toISOString(),
        verifiedAt: expect.any(String),
      });
      expect(res.summary?.timeline.find((t) => t.step === 'swap-references')?.outcome).toBe(
        'skipped',
      );
      expect(JSON.parse(bodies[0]!)).toEqual({
        SourceTableName: table,
        TargetTableName: 'rate_limits_at',
        RestoreDateTime: w.latest.getTime() / 1000,
      });
    } finally {
      ddb.middlewareStack.remove('drkitCaptureRb05');
    }
  });

  it('GIVEN bad inputs THEN clear errors from preflight, and nothing in moto changes', async () => {
    const before = await dumpState(clients, refs);
    const run = (extra: Record<string, unknown>) =>
      execute(createTableRestoreRunbook(deps()), params(extra), { journalDir, yes: true });
    await expect(run({ table: 'no_such_table' })).rejects.toThrow(NotFoundError);
    await expect(run({ table: 'no_such_table' })).rejects.toThrow(
      /source table 'no_such_table' not found/,
    );
    await expect(run({ newTable: 'sessions_nopitr' })).rejects.toThrow(
      /a table named 'sessions_nopitr' already exists/,
    );
    await expect(run({ target: '2025-11-06 12:30' })).rejects.toThrow(UsageError);
    await expect(run({ target: '2999-01-01T00:00:00Z' })).rejects.toThrow(/in the future/);
    await expect(run({ target: '2001-01-01T00:00:00Z' })).rejects.toThrow(OutOfWindowError);
    await expect(run({ table: 'sessions_nopitr' })).rejects.toThrow(
      /point-in-time recovery is off on 'sessions_nopitr'/,
    );
    await expect(run({ configSecret: 'app/nope' })).rejects.toThrow(NotFoundError);
    await expect(run({ functions: 'api-nope' })).rejects.toThrow(NotFoundError);
    expect(await dumpState(clients, refs)).toEqual(before);
  });

  it('GIVEN a run that died inside restore-table after RestoreTableToPointInTime WHEN resumed THEN its own table is accepted and the run completes', async () => {
    const real = new DynamoDbKeyValue({ clients });
    // first attempt: the restore call reaches DynamoDB, then the process "dies" (a hard error)
    const dying: KeyValue = Object.assign(Object.create(real) as KeyValue, {
      restoreToTime: async (req: { source: string; newTable: string }) => {
        await clients.dynamodb().send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: req.source,
            TargetTableName: req.newTable,
            UseLatestRestorableTime: true,
          }),
        );
        throw new DrError('EXTERNAL', 'connection reset (simulated crash)');
      },
    });
    const p = params({ newTable: 'rate_limits_resumed', archive: 'false' });
    await expect(
      execute(createTableRestoreRunbook(deps({ keyValue: dying })), p, {
        journalDir,
        yes: true,
        executionId: 'rb-n-05-resume-own',
      }),
    ).rejects.toThrow(/simulated crash/);
    const res = await resume(createTableRestoreRunbook(deps()), 'rb-n-05-resume-own', {
      journalDir,
      yes: true,
    });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(await real.describeTable('rate_limits_resumed')).toMatchObject({
      ttlAttribute: 'expires_at',
      pitr: true,
      tags: { team: 'platform' },
    });
    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toMatchObject({
      tableName: 'rate_limits_resumed',
    });

    // a table of that name that is NOT a restore of the source is refused on resume
    const q = params({ newTable: 'rate_limits_foreign', archive: 'false' });
    const squatter: KeyValue = Object.assign(Object.create(real) as KeyValue, {
      restoreToTime: async (req: { newTable: string }) => {
        await clients.dynamodb().send(
          new CreateTableCommand({
            TableName: req.newTable,
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        throw new DrError('EXTERNAL', 'connection reset (simulated crash)');
      },
    });
    await expect(
      execute(createTableRestoreRunbook(deps({ keyValue: squatter })), q, {
        journalDir,
        yes: true,
        executionId: 'rb-n-05-foreign',
      }),
    ).rejects.toThrow(/simulated crash/);
    await expect(
      resume(createTableRestoreRunbook(deps()), 'rb-n-05-foreign', { journalDir, yes: true }),
    ).rejects.toThrow(PreconditionError);
    expect(await new SecretsManagerSecrets({ clients }).get(secret)).toMatchObject({
      tableName: 'rate_limits_resumed',
    }); // not swapped
  });
});
