import {
  DescribeContinuousBackupsCommand,
  DescribeGlobalTableCommand,
  DescribeTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../clients.js';
import { awsCall, awsErrorName } from '../errors.js';
import { CheckList } from './check-list.js';

/**
 * One global table's posture (seed 000: "Global Tables across A/B; enable PITR in both"): PITR
 * on in region A and region B, and a replica in B — `Replicas` of DescribeTable (global tables
 * 2019.11.21), else DescribeGlobalTable (2017.11.29). When neither answers, the replica is a warn
 * ("not checked"), never a pass; a table missing in B fails.
 */
export async function dynamoDbPosture(
  clients: AwsClients,
  table: string,
  regionA: string,
  regionB: string,
): Promise<CheckList> {
  const list = new CheckList();
  for (const region of [regionA, regionB]) {
    const subject = `table ${table} (${region})`;
    await list.guard('dynamodb.pitr', subject, async () => {
      const out = await awsCall(
        { action: 'dynamodb:DescribeContinuousBackups', resource: `${table} in ${region}` },
        () =>
          clients.dynamodb(region).send(new DescribeContinuousBackupsCommand({ TableName: table })),
      );
      const p = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
      const on = p?.PointInTimeRecoveryStatus === 'ENABLED';
      list.add(
        'dynamodb.pitr',
        subject,
        on ? 'pass' : 'fail',
        `PITR ${p?.PointInTimeRecoveryStatus ?? 'unknown'}${on && p?.RecoveryPeriodInDays ? ` (${p.RecoveryPeriodInDays} days)` : ''}`,
        on
          ? 'point-in-time restore possible (RB-N-05)'
          : `PITR off in ${region}: no point-in-time restore of this region's table`,
      );
    });
  }
  const subject = `table ${table} → ${regionB}`;
  await list.guard('dynamodb.replica', subject, async () => {
    const a = await awsCall(
      { action: 'dynamodb:DescribeTable', resource: `${table} in ${regionA}` },
      () => clients.dynamodb(regionA).send(new DescribeTableCommand({ TableName: table })),
    );
    const replicas = a.Table?.Replicas ?? [];
    const inB = replicas.find((r) => r.RegionName === regionB);
    if (inB) {
      const st = inB.ReplicaStatus ?? 'unknown';
      list.add(
        'dynamodb.replica',
        subject,
        st === 'ACTIVE' ? 'pass' : st === 'CREATING' || st === 'UPDATING' ? 'warn' : 'fail',
        `replicas: ${replicas.map((r) => `${r.RegionName} ${r.ReplicaStatus ?? '?'}`).join(', ')}`,
        `a global table replica in ${regionB} (version 2019.11.21)`,
      );
      return;
    }
    const bExists = await awsCall(
      { action: 'dynamodb:DescribeTable', resource: `${table} in ${regionB}` },
      () => clients.dynamodb(regionB).send(new DescribeTableCommand({ TableName: table })),
    ).then(
      () => true,
      (e: unknown) =>
        awsErrorName((e as { cause?: unknown }).cause) === 'ResourceNotFoundException'
          ? false
          : Promise.reject(e),
    );
    if (!bExists) {
      list.add(
        'dynamodb.replica',
        subject,
        'fail',
        `no table ${table} in ${regionB}`,
        `not a global table with ${regionB}: a region loss loses the table`,
      );
      return;
    }
    try {
      const g = await clients
        .dynamodb(regionA)
        .send(new DescribeGlobalTableCommand({ GlobalTableName: table }));
      const regions = (g.GlobalTableDescription?.ReplicationGroup ?? []).map((r) => r.RegionName);
      const ok = regions.includes(regionB);
      list.add(
        'dynamodb.replica',
        subject,
        ok ? 'pass' : 'fail',
        `global table (2017.11.29) regions: ${regions.join(', ') || 'none'}`,
        ok ? `replicated to ${regionB}` : `${regionB} is not in the replication group`,
      );
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'GlobalTableNotFoundException') {
        list.add(
          'dynamodb.replica',
          subject,
          'fail',
          `a table ${table} in ${regionB}, not replicated`,
          `DescribeTable lists no replica and there is no global table ${table}: the two tables are independent`,
        );
        return;
      }
      list.notChecked(
        'dynamodb.replica',
        subject,
        `DescribeTable lists no replica and DescribeGlobalTable failed (${name ?? 'error'}: ${(err as Error).message.split('\n')[0]}); the endpoint does not serve global tables (moto answers HTTP 500)`,
        `a table ${table} exists in ${regionB}`,
      );
    }
  });
  return list;
}
