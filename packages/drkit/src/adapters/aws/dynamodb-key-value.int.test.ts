import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, OutOfWindowError, PreconditionError } from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { createSourceTable } from '../../runbooks/table-restore/moto-fixture.js';
import type { AwsClients } from './clients.js';
import { DynamoDbKeyValue } from './dynamodb-key-value.js';
import { startMotoClients, stopMotoClients } from './moto-fixtures.js';

/** The KeyValue methods RB-N-05 added (restore itself: app-services.int.test.ts). */
let moto: MotoServer;
let clients: AwsClients;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  await createSourceTable(clients, 'orders_kv', { items: 3 });
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('DynamoDbKeyValue backups, tags, plans and resumes on moto', () => {
  it('GIVEN a table WHEN createBackup twice with one name THEN one backup (idempotent); unknown table is NotFoundError', async () => {
    const kv = new DynamoDbKeyValue({ clients });
    const a = await kv.createBackup('orders_kv', 'orders_kv_before_1');
    const b = await kv.createBackup('orders_kv', 'orders_kv_before_1');
    expect(b.arn).toBe(a.arn);
    expect(a).toMatchObject({
      name: 'orders_kv_before_1',
      table: 'orders_kv',
      status: expect.stringMatching(/CREATING|AVAILABLE/),
    });
    await kv.createBackup('orders_kv', 'orders_kv_before_2');
    expect((await kv.listBackups('orders_kv')).map((x) => x.name)).toEqual([
      'orders_kv_before_1',
      'orders_kv_before_2',
    ]);
    await expect(kv.createBackup('nope_kv', 'x_before')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN tags WHEN tagTable THEN added, others kept; unknown table is NotFoundError', async () => {
    const kv = new DynamoDbKeyValue({ clients });
    await kv.tagTable('orders_kv', { 'drkit:superseded-by': 'orders_kv_2' });
    expect((await kv.describeTable('orders_kv')).tags).toEqual({
      team: 'platform',
      env: 'prod',
      'drkit:superseded-by': 'orders_kv_2',
    });
    await expect(kv.tagTable('nope_kv', { a: 'b' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a restore request WHEN planned THEN the exact calls, and the same refusals as the restore, changing nothing', async () => {
    const kv = new DynamoDbKeyValue({ clients });
    const lines = await kv.planRestoreToTime({
      source: 'orders_kv',
      target: 'latest',
      newTable: 'orders_kv_r',
    });
    expect(lines[0]).toBe(
      'dynamodb:RestoreTableToPointInTime SourceTableName=orders_kv TargetTableName=orders_kv_r UseLatestRestorableTime=true',
    );
    expect(lines).toContain(
      'dynamodb:UpdateContinuousBackups TableName=orders_kv_r PointInTimeRecoverySpecification={PointInTimeRecoveryEnabled=true}',
    );
    await expect(kv.describeTable('orders_kv_r')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      kv.planRestoreToTime({
        source: 'orders_kv',
        target: new Date('2001-01-01T00:00:00Z'),
        newTable: 'orders_kv_r',
      }),
    ).rejects.toBeInstanceOf(OutOfWindowError);
    await expect(
      kv.planRestoreToTime({ source: 'nope_kv', target: 'latest', newTable: 'orders_kv_r' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN newTable restored from the source WHEN restoreToTime resumeOwn THEN settings re-applied (twice is fine); a table not restored from it is refused', async () => {
    const kv = new DynamoDbKeyValue({ clients });
    await kv.restoreToTime({ source: 'orders_kv', target: 'latest', newTable: 'orders_kv_own' });
    expect(await kv.describeTable('orders_kv_own')).toMatchObject({
      restoredFrom: (await kv.describeTable('orders_kv')).arn,
    });
    await expect(
      kv.restoreToTime({ source: 'orders_kv', target: 'latest', newTable: 'orders_kv_own' }),
    ).rejects.toBeInstanceOf(PreconditionError);
    const again = await kv.restoreToTime({
      source: 'orders_kv',
      target: 'latest',
      newTable: 'orders_kv_own',
      resumeOwn: true,
    });
    expect(again.reapplied).toEqual(expect.arrayContaining(['ttl', 'pitr', 'tags', 'autoscaling']));
    expect(
      (
        await kv.planRestoreToTime({
          source: 'orders_kv',
          target: 'latest',
          newTable: 'orders_kv_own',
          resumeOwn: true,
        })
      )[0],
    ).toMatch(/already restored .* not sent again/);
    await clients.dynamodb().send(
      new CreateTableCommand({
        TableName: 'orders_kv_other',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await expect(
      kv.restoreToTime({
        source: 'orders_kv',
        target: 'latest',
        newTable: 'orders_kv_other',
        resumeOwn: true,
      }),
    ).rejects.toBeInstanceOf(PreconditionError);
  });
});
