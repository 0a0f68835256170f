import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  type FailoverGlobalClusterCommandInput,
  type RestoreDBClusterToPointInTimeCommandInput,
  type SwitchoverGlobalClusterCommandInput,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
} from '../../engine/errors.js';
import { MOTO_CREDENTIALS, startMotoServer, type MotoServer } from '../../lab/moto-server.js';
import { AwsClients } from './clients.js';
import { captureRequests, type CapturedRequest } from './moto-fixtures.js';
import { RdsDatabase } from './rds-database.js';

let moto: MotoServer;
let clients: AwsClients;
let dbA: RdsDatabase;
let dbB: RdsDatabase;
let sent: CapturedRequest[];

beforeAll(async () => {
  moto = await startMotoServer();
  // one attempt: moto answers 500 for what it lacks, and the SDK would retry 5xx
  clients = new AwsClients({
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
    defaultRegion: 'us-east-1',
    maxAttempts: 1,
  });
  dbA = new RdsDatabase({ clients, region: 'us-east-1' });
  dbB = new RdsDatabase({ clients, region: 'us-west-2' });
  sent = captureRequests(clients.rds('us-east-1'));
  await clients.rds('us-east-1').send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'prod-core-cluster',
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: 'not-a-real-pass-1',
      DatabaseName: 'app',
      BackupRetentionPeriod: 7,
    }),
  );
  await clients.rds('us-east-1').send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'prod-core-1',
      DBClusterIdentifier: 'prod-core-cluster',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
});
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

/** The last `command` sent, its awsQuery form body parsed. */
const last = (command: string) => {
  const r = [...sent].reverse().find((s) => s.command === command)!;
  return { ...r, body: new URLSearchParams(r.body) };
};

describe('RdsDatabase on moto', () => {
  it('GIVEN a cluster WHEN described THEN endpoint, status, role and window; unknown id is NotFoundError', async () => {
    const c = await dbA.describe('prod-core-cluster');
    expect(c).toMatchObject({
      id: 'prod-core-cluster',
      status: 'available',
      role: 'primary',
      endpoint: { port: 5432, database: 'app', user: 'app' },
    });
    expect(c.endpoint.host).toMatch(/^prod-core-cluster\.cluster-/);
    const w = await dbA.recoverableWindow('prod-core-cluster');
    expect(w.earliest.getTime()).toBeLessThanOrEqual(w.latest.getTime());
    await expect(dbA.describe('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a time inside the window WHEN restoreToTime THEN a new cluster with a writer and its endpoint (RB-N-02)', async () => {
    const w = await dbA.recoverableWindow('prod-core-cluster');
    const target = new Date(
      w.earliest.getTime() + Math.floor((w.latest.getTime() - w.earliest.getTime()) / 2),
    );
    const phases: string[] = [];
    const r = await dbA.restoreToTime({
      source: 'prod-core-cluster',
      target,
      newClusterId: 'dr-core-1',
      onProgress: (p) => phases.push(p.phase),
    });
    expect(r.cluster).toMatchObject({
      id: 'dr-core-1',
      status: 'available',
      details: { writer: 'dr-core-1-writer' },
    });
    expect(r.cluster.endpoint.host).toMatch(/^dr-core-1\.cluster-/);
    expect(r.restoredTo).toEqual(target);
    expect(phases).toEqual(['restore-cluster', 'wait-cluster', 'create-writer']);
    // moto ignores RestoreToTime (it copies the cluster as it is now), so that the time is
    // honoured cannot be shown here: check what the SDK serialized instead.
    const req = last('RestoreDBClusterToPointInTimeCommand');
    const expected: RestoreDBClusterToPointInTimeCommandInput = {
      DBClusterIdentifier: 'dr-core-1',
      SourceDBClusterIdentifier: 'prod-core-cluster',
      RestoreToTime: target,
      UseLatestRestorableTime: false,
      Tags: [{ Key: 'drkit:restored-from', Value: 'prod-core-cluster' }],
    };
    expect(req.input).toEqual(expected);
    expect(req.body.get('Action')).toBe('RestoreDBClusterToPointInTime');
    expect(req.body.get('RestoreToTime')).toBe(
      target.toISOString().replace(/\.\d{3}Z$/, (m) => (m === '.000Z' ? 'Z' : m)),
    );
    expect(req.body.get('UseLatestRestorableTime')).toBe('false');
    expect(last('CreateDBInstanceCommand').input).toEqual({
      DBInstanceIdentifier: 'dr-core-1-writer',
      DBClusterIdentifier: 'dr-core-1',
      DBInstanceClass: 'db.serverless',
      Engine: 'aurora-postgresql',
    });
  });

  it('GIVEN "latest" WHEN restoreToTime THEN UseLatestRestorableTime=true and restoredTo is the latest restorable time', async () => {
    const r = await dbA.restoreToTime({
      source: 'prod-core-cluster',
      target: 'latest',
      newClusterId: 'dr-core-latest',
    });
    expect(r.cluster.status).toBe('available');
    const req = last('RestoreDBClusterToPointInTimeCommand');
    expect(req.body.get('UseLatestRestorableTime')).toBe('true');
    expect(req.body.has('RestoreToTime')).toBe(false);
  });

  it('GIVEN a time before the window WHEN restoreToTime THEN OutOfWindowError printing the window, and nothing is created', async () => {
    const w = await dbA.recoverableWindow('prod-core-cluster');
    const before = sent.length;
    const err = await dbA
      .restoreToTime({
        source: 'prod-core-cluster',
        target: new Date(w.earliest.getTime() - 86_400_000),
        newClusterId: 'dr-too-early',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutOfWindowError);
    expect((err as Error).message).toContain(w.earliest.toISOString());
    expect((err as Error).message).toContain('outside the recoverable window of prod-core-cluster');
    expect(sent.slice(before).map((s) => s.command)).not.toContain(
      'RestoreDBClusterToPointInTimeCommand',
    );
    await expect(dbA.describe('dr-too-early')).rejects.toBeInstanceOf(NotFoundError);
    const future = await dbA
      .restoreToTime({
        source: 'prod-core-cluster',
        target: new Date(Date.now() + 3_600_000),
        newClusterId: 'dr-future',
      })
      .catch((e: unknown) => e);
    expect(future).toBeInstanceOf(OutOfWindowError);
  });

  it('GIVEN an existing new id or an unknown source THEN PreconditionError / NotFoundError', async () => {
    await expect(
      dbA.restoreToTime({
        source: 'prod-core-cluster',
        target: 'latest',
        newClusterId: 'dr-core-1',
      }),
    ).rejects.toBeInstanceOf(PreconditionError);
    await expect(
      dbA.restoreToTime({ source: 'nope', target: 'latest', newClusterId: 'dr-x' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a cluster WHEN backup (manual snapshot, seed 003) THEN listBackups has it', async () => {
    const b = await dbA.backup('prod-core-cluster', { label: 'prod-core-pre-migration-20251106' });
    expect(b).toMatchObject({ label: 'prod-core-pre-migration-20251106', type: 'snapshot' });
    const list = await dbA.listBackups('prod-core-cluster');
    expect(list.map((x) => x.label)).toContain('prod-core-pre-migration-20251106');
    await expect(dbA.backup('prod-core-cluster', { type: 'full' })).rejects.toBeInstanceOf(
      PreconditionError,
    );
    await expect(dbA.listBackups('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a snapshot in A WHEN copied to B and restored there THEN a cluster with a writer in B (RB-N-01)', async () => {
    const copy = await dbA.copySnapshotCrossRegion({
      snapshotId: 'prod-core-pre-migration-20251106',
      targetRegion: 'us-west-2',
      targetSnapshotId: 'prod-core-nightly-b',
    });
    expect(copy.arn).toBe(
      'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-core-nightly-b',
    );
    const c = await dbB.restoreFromSnapshot({
      snapshotId: 'prod-core-nightly-b',
      newClusterId: 'dr-core-b',
    });
    expect(c).toMatchObject({
      id: 'dr-core-b',
      status: 'available',
      details: { region: 'us-west-2', writer: 'dr-core-b-writer' },
    });
    expect(c.endpoint.host).toContain('us-west-2');
    await expect(
      dbB.restoreFromSnapshot({ snapshotId: 'no-such-snap', newClusterId: 'dr-core-b2' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a cross-region Aurora replica in B WHEN promote THEN it is a standalone primary (seed 004)', async () => {
    const arn = (await dbA.describe('prod-core-cluster')).details.arn as string;
    await clients.rds('us-west-2').send(
      // moto insists on MasterUsername/Password even for a replica (AWS takes them from the source)
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'prod-core-replica',
        Engine: 'aurora-postgresql',
        ReplicationSourceIdentifier: arn,
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-real-pass-1',
      }),
    );
    expect((await dbB.describe('prod-core-replica')).role).toBe('standby');
    const r = await dbB.promote('prod-core-replica');
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect((await dbB.describe('prod-core-replica')).details.replicationSource).toBeUndefined();
  });

  it('GIVEN an RDS PostgreSQL read replica instance in B WHEN promoteReadReplica THEN its endpoint is returned', async () => {
    await clients.rds('us-east-1').send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'lab-pg',
        DBInstanceClass: 'db.t4g.medium',
        Engine: 'postgres',
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-real-pass-1',
        AllocatedStorage: 20,
      }),
    );
    const src = await clients
      .rds('us-east-1')
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'lab-pg' }));
    await clients.rds('us-west-2').send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'lab-pg-replica',
        SourceDBInstanceIdentifier: src.DBInstances![0]!.DBInstanceArn!,
      }),
    );
    const r = await dbB.promoteReadReplica('lab-pg-replica');
    expect(r.endpoint).toMatch(/^lab-pg-replica\..*:5432$/);
    // moto keeps ReadReplicaSourceDBInstanceIdentifier on a promoted cross-region replica, so
    // the detachment itself cannot be shown here; the request and the wait are.
    const after = await clients
      .rds('us-west-2')
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'lab-pg-replica' }));
    expect(after.DBInstances![0]!.DBInstanceStatus).toBe('available');
  });

  it('GIVEN a global cluster WHEN failover / switchover THEN the SDK serializes the documented request (moto answers HTTP 500)', async () => {
    // moto cannot fail over or switch over an Aurora Global Database (FailoverGlobalCluster and
    // SwitchoverGlobalCluster are HTTP 500 there), so the adapter's request is checked against
    // the SDK's own model: the typed input and the awsQuery body its serializer produced.
    const target = 'arn:aws:rds:us-west-2:123456789012:cluster:radiant-dr-cluster';
    const f = await dbA
      .failoverGlobalCluster({
        globalClusterId: 'radiant-global',
        targetClusterArn: target,
        allowDataLoss: true,
      })
      .catch((e: unknown) => e);
    expect(f).toBeInstanceOf(DrError);
    const fi: FailoverGlobalClusterCommandInput = {
      GlobalClusterIdentifier: 'radiant-global',
      TargetDbClusterIdentifier: target,
      AllowDataLoss: true,
    };
    expect(last('FailoverGlobalClusterCommand').input).toEqual(fi);
    expect(Object.fromEntries(last('FailoverGlobalClusterCommand').body)).toEqual({
      Action: 'FailoverGlobalCluster',
      Version: '2014-10-31',
      GlobalClusterIdentifier: 'radiant-global',
      TargetDbClusterIdentifier: target,
      AllowDataLoss: 'true',
    });
    await dbA
      .switchoverGlobalCluster({ globalClusterId: 'radiant-global', targetClusterArn: target })
      .catch((e: unknown) => e);
    const si: SwitchoverGlobalClusterCommandInput = {
      GlobalClusterIdentifier: 'radiant-global',
      TargetDbClusterIdentifier: target,
    };
    expect(last('SwitchoverGlobalClusterCommand').input).toEqual(si);
    expect(last('SwitchoverGlobalClusterCommand').body.get('Action')).toBe(
      'SwitchoverGlobalCluster',
    );
  });

  it('GIVEN a cluster WHEN describeEvents THEN the seed-003 request (moto keeps few events: the list may be empty)', async () => {
    const ev = await dbA.describeEvents({ sourceId: 'prod-core-cluster', durationMinutes: 60 });
    expect(Array.isArray(ev)).toBe(true);
    expect(Object.fromEntries(last('DescribeEventsCommand').body)).toMatchObject({
      SourceType: 'db-cluster',
      SourceIdentifier: 'prod-core-cluster',
      Duration: '60',
    });
  });

  it('GIVEN a restored cluster WHEN stop twice THEN stopped, and the second call changes nothing', async () => {
    await dbA.stop('dr-core-latest');
    expect((await dbA.describe('dr-core-latest')).status).toBe('stopped');
    const n = sent.filter((s) => s.command === 'StopDBClusterCommand').length;
    await dbA.stop('dr-core-latest');
    expect(sent.filter((s) => s.command === 'StopDBClusterCommand').length).toBe(n);
  });
});
