import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateGlobalClusterCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  type StopReplicationToReplicaCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CapabilityError,
  NotFoundError,
  PreconditionError,
  StepTimeoutError,
} from '../../engine/errors.js';
import { pointAppAt, RDS_SECRET_FORMAT } from '../../lab/app-config.js';
import { MOTO_CREDENTIALS } from '../../lab/moto-server.js';
import { freePort } from '../../util/net.js';
import { AwsClients } from './clients.js';
import { captureRequests, startMotoClients, stopMotoClients } from './moto-fixtures.js';
import { MultiRegionSecrets } from './multi-region-secrets.js';
import { RdsDatabase } from './rds-database.js';
import { RegionalRdsDatabase } from './regional-database.js';
import { SecretsManagerSecrets } from './secrets-manager-secrets.js';

/**
 * The region runbooks' AWS database and secrets over two regions, on moto: an Aurora Global
 * Database whose writer is already in B (after a managed failover) — what moto can hold, since
 * it implements neither FailoverGlobalCluster nor SwitchoverGlobalCluster — and one secret kept
 * per region, with a replica and an unreachable region.
 */
const A = 'us-east-1';
const B = 'us-west-2';
const env: Parameters<typeof stopMotoClients>[0] = {};
let clients: AwsClients;
let regional: RegionalRdsDatabase;
let rdsCalls: string[];

async function cluster(region: string, id: string, globalId: string): Promise<void> {
  const rds = clients.rds(region);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'app',
      MasterUserPassword: 'xxxxxxxx1',
      GlobalClusterIdentifier: globalId,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${id}-1`,
      DBClusterIdentifier: id,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
}

beforeAll(async () => {
  Object.assign(env, await startMotoClients());
  clients = env.clients!;
  await clients.rds(B).send(
    new CreateGlobalClusterCommand({
      GlobalClusterIdentifier: 'g',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
    }),
  );
  await cluster(B, 'db-b', 'g'); // created first: the writer
  await cluster(A, 'db-a', 'g');
  rdsCalls = [];
  const byRegion = {
    [A]: new RdsDatabase({ clients, region: A }),
    [B]: new RdsDatabase({ clients, region: B }),
  };
  for (const region of [A, B]) {
    clients.rds(region).middlewareStack.add(
      (next, ctx) => (args) => {
        rdsCalls.push(String(ctx.commandName));
        return next(args);
      },
      { step: 'initialize', name: `count-${region}` },
    );
  }
  regional = new RegionalRdsDatabase({
    byRegion,
    clusters: { 'db-a': A, 'db-b': B },
    globalClusterId: 'g',
    pollMs: 50,
    maxWaitMs: 400,
  });
});
afterAll(() => stopMotoClients(env));

describe('RegionalRdsDatabase over an Aurora Global Database (moto)', () => {
  it('GIVEN db-b writes WHEN describe THEN roles come from the membership (a secondary has no ReplicationSourceIdentifier)', async () => {
    expect((await regional.describe('db-b')).role).toBe('primary');
    expect((await regional.describe('db-a')).role).toBe('standby');
    expect(regional.capabilities.has('global')).toBe(true);
  });

  it('GIVEN db-b already writes WHEN switchover(db-a → db-b) or promote(db-b) THEN nothing is called but reads (a resumed run)', async () => {
    rdsCalls.length = 0;
    expect(await regional.switchover('db-a', 'db-b')).toEqual({ durationMs: 0, alreadyDone: true });
    await regional.promote('db-b');
    expect(rdsCalls.filter((c) => !c.startsWith('Describe'))).toEqual([]);
  });

  it('GIVEN db-b writes WHEN checkSwitchover in the wrong direction or rejoin under the secondary THEN refused saying who writes', async () => {
    await expect(regional.checkSwitchover('db-b', 'db-a')).resolves.toMatch(
      /g: writer db-b \(us-west-2\), secondary db-a \(us-east-1\) available/,
    );
    await expect(regional.checkSwitchover('db-a', 'db-b')).resolves.toMatch(/db-b already writes/);
    await expect(regional.rejoinAsStandby('db-b', 'db-a')).rejects.toThrow(
      /db-a is not the writer of g/,
    );
  });

  it('GIVEN db-a an available secondary WHEN rejoinAsStandby(db-a, db-b) THEN done at once, method managed', async () => {
    const r = await regional.rejoinAsStandby('db-a', 'db-b');
    expect(r.method).toBe('managed');
  });

  it('GIVEN the writer itself WHEN waiting for it to be a secondary THEN a StepTimeoutError after maxWaitMs, with what was seen', async () => {
    const seen: string[] = [];
    const err = await regional
      .rejoinAsStandby('db-b', 'db-b', { progress: (m) => seen.push(m) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect((err as Error).message).toMatch(/still the writer/);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('GIVEN an unknown global id or no global id THEN NotFoundError / CapabilityError naming the config key', async () => {
    const byRegion = {
      [A]: new RdsDatabase({ clients, region: A }),
      [B]: new RdsDatabase({ clients, region: B }),
    };
    const wrong = new RegionalRdsDatabase({
      byRegion,
      clusters: { 'db-a': A, 'db-b': B },
      globalClusterId: 'nope',
    });
    await expect(wrong.checkSwitchover('db-a', 'db-b')).rejects.toBeInstanceOf(NotFoundError);
    const none = new RegionalRdsDatabase({ byRegion, clusters: { 'db-a': A, 'db-b': B } });
    expect(none.capabilities.has('global')).toBe(false);
    const e = await none.switchover('db-a', 'db-b').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CapabilityError);
    expect((e as CapabilityError).hint).toContain('aws.globalClusterId');
  });
});

describe('RegionalRdsDatabase over RDS PostgreSQL instances (dbMode rds-postgres, moto)', () => {
  it('GIVEN pg-a in A and its cross-region read replica pg-b in B WHEN describe / promote / stop THEN PromoteReadReplica and StopDBInstance, roles from the replica link', async () => {
    const a = await clients.rds(A).send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'pg-a',
        Engine: 'postgres',
        DBInstanceClass: 'db.m6g.large',
        MasterUsername: 'app',
        MasterUserPassword: 'xxxxxxxx1',
        AllocatedStorage: 20,
        BackupRetentionPeriod: 7,
      }),
    );
    await clients.rds(B).send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'pg-b',
        SourceDBInstanceIdentifier: a.DBInstance!.DBInstanceArn!,
        DBInstanceClass: 'db.m6g.large',
      }),
    );
    const byRegion = {
      [A]: new RdsDatabase({ clients, region: A }),
      [B]: new RdsDatabase({ clients, region: B }),
    };
    const db = new RegionalRdsDatabase({
      byRegion,
      clusters: {},
      instances: { 'pg-a': A, 'pg-b': B },
    });
    expect(await db.describe('pg-a')).toMatchObject({
      id: 'pg-a',
      role: 'primary',
      status: 'available',
      endpoint: { port: 5432 },
    });
    const b = await db.describe('pg-b');
    expect(b).toMatchObject({ role: 'standby', status: 'available' });
    expect(b.endpoint.host).toMatch(/^pg-b\./);
    expect(b.details.replicationSource).toContain(':db:pg-a');
    rdsCalls.length = 0;
    await db.promote('pg-b');
    expect(rdsCalls).toContain('PromoteReadReplicaCommand');
    // moto keeps ReadReplicaSourceDBInstanceIdentifier after PromoteReadReplica (it only flips
    // an internal flag), so the promoted role cannot be read back here; AWS drops the field
    await db.stop('pg-a');
    await db.stop('pg-a'); // idempotent: no second StopDBInstance on a stopped instance
    expect(rdsCalls.filter((c) => c === 'StopDBInstanceCommand')).toHaveLength(1);
    const st = (
      await clients.rds(A).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'pg-a' }))
    ).DBInstances![0]!.DBInstanceStatus;
    expect(st).toBe('stopped');
    await expect(db.describe('pg-nope')).rejects.toThrow(
      /not one of the configured region clusters/,
    );
  });
});

describe('MultiRegionSecrets (moto)', () => {
  const get = async (region: string, name: string) =>
    JSON.parse(
      (await clients.secrets(region).send(new GetSecretValueCommand({ SecretId: name })))
        .SecretString!,
    ) as Record<string, unknown>;

  it('GIVEN a copy per region WHEN the app is pointed elsewhere (RDS layout) THEN both copies change, every other field kept', async () => {
    for (const region of [A, B])
      await clients.secrets(region).send(
        new CreateSecretCommand({
          Name: 'per-region',
          SecretString: JSON.stringify({ host: 'old', port: 5432, password: 'p' }),
        }),
      );
    const s = new MultiRegionSecrets([
      new SecretsManagerSecrets({ clients, region: B }),
      new SecretsManagerSecrets({ clients, region: A }),
    ]);
    await pointAppAt(
      s,
      'per-region',
      'db-b',
      { host: 'new', port: 6432, database: 'app', user: 'app' },
      { format: RDS_SECRET_FORMAT },
    );
    for (const region of [A, B])
      expect(await get(region, 'per-region')).toEqual({
        host: 'new',
        port: 6432,
        password: 'p',
        dbClusterId: 'db-b',
      });
  });

  it('GIVEN a primary in A replicated to B WHEN put THEN only the primary is written (the replica follows)', async () => {
    await clients.secrets(A).send(
      new CreateSecretCommand({
        Name: 'replicated',
        SecretString: JSON.stringify({ v: 1 }),
        AddReplicaRegions: [{ Region: B }],
      }),
    );
    const b = new SecretsManagerSecrets({ clients, region: B });
    expect(await b.primaryRegionOf('replicated')).toBe(A);
    const s = new MultiRegionSecrets([b, new SecretsManagerSecrets({ clients, region: A })]);
    await s.put('replicated', { v: 2 });
    expect(await get(A, 'replicated')).toEqual({ v: 2 });
  });

  it('GIVEN region A unreachable WHEN put THEN B is written and the outage tolerated; with only a replica left THEN refused naming StopReplicationToReplica', async () => {
    const dead = new AwsClients({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: MOTO_CREDENTIALS,
      defaultRegion: A,
      maxAttempts: 1,
    });
    try {
      const s = new MultiRegionSecrets([
        new SecretsManagerSecrets({ clients, region: B }),
        new SecretsManagerSecrets({ clients: dead, region: A }),
      ]);
      await s.put('per-region', { host: 'b-only', port: 1 });
      expect(await get(B, 'per-region')).toEqual({ host: 'b-only', port: 1 });
      const onlyReplica = new MultiRegionSecrets([
        new SecretsManagerSecrets({ clients, region: B }),
        new SecretsManagerSecrets({ clients: dead, region: A }),
      ]);
      const err = await onlyReplica.put('replicated', { v: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PreconditionError);
      expect((err as PreconditionError).hint).toContain('StopReplicationToReplica');
      expect(await get(A, 'replicated')).toEqual({ v: 2 });
    } finally {
      dead.destroy();
    }
  });

  it('GIVEN region A down and B holding a replica WHEN a failover writes (promoteReplicaWhenPrimaryDown) THEN StopReplicationToReplica in B first (moto lacks it: request checked against the SDK model)', async () => {
    const dead = new AwsClients({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: MOTO_CREDENTIALS,
      defaultRegion: A,
      maxAttempts: 1,
    });
    const sent = captureRequests(clients.secrets(B));
    try {
      const s = new MultiRegionSecrets(
        [
          new SecretsManagerSecrets({ clients, region: B }),
          new SecretsManagerSecrets({ clients: dead, region: A }),
        ],
        { promoteReplicaWhenPrimaryDown: true },
      );
      const err = await s.put('replicated', { v: 4 }).catch((e: unknown) => e);
      const stop = sent.find((r) => r.command === 'StopReplicationToReplicaCommand');
      const input: StopReplicationToReplicaCommandInput = { SecretId: 'replicated' };
      expect(stop?.input).toEqual(input);
      expect(JSON.parse(stop!.body)).toEqual({ SecretId: 'replicated' });
      // moto answers HTTP 500: the error says so and how to finish by hand; nothing was written
      expect(err).toBeInstanceOf(PreconditionError);
      expect((err as Error).message).toMatch(
        /primary region us-east-1 is down and promoting the replica in us-west-2 failed/,
      );
      expect((err as PreconditionError).hint).toContain(
        'aws secretsmanager stop-replication-to-replica --secret-id replicated --region us-west-2',
      );
      expect(await get(B, 'replicated')).toEqual({ v: 2 });
      // without the option (a switchover, or RB-N-02) a replica is never promoted
      sent.length = 0;
      const plain = new MultiRegionSecrets([
        new SecretsManagerSecrets({ clients, region: B }),
        new SecretsManagerSecrets({ clients: dead, region: A }),
      ]);
      await expect(plain.put('replicated', { v: 5 })).rejects.toThrow(
        /could not be written in any region/,
      );
      expect(sent.map((r) => r.command)).not.toContain('StopReplicationToReplicaCommand');
    } finally {
      dead.destroy();
    }
  });
});
