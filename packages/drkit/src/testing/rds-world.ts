import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import type { AwsClients } from '../adapters/aws/clients.js';
import { createRole, createTestEcsService, createTestHealthCheck } from './moto.js';

/**
 * The moto worlds of the runbooks that act on RDS: RB-N-01's two regions (a cross-region
 * replica), the planned switchover's and RB-N-08's Aurora Global Databases, RB-N-02's cluster
 * with the functions that name it. Each returns the `aws` config section(s) a fixture needs
 * (`motoCli.fixture(world.…)`). Every secret they create holds `password` (and the
 * `secretFields` given): the secrets canary plants its value there.
 */

/** The RDS-style endpoint secret the app reads (`aws.dbEndpointSecret`). */
export function endpointSecret(
  host: string,
  password: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    engine: 'postgres',
    host,
    port: 5432,
    username: 'app',
    password,
    dbname: 'app',
    ...extra,
  });
}

/** Options shared by the worlds below. */
export interface RdsWorldOptions {
  readonly regionA: string;
  readonly regionB: string;
  /** Every cluster's and instance's MasterUserPassword, and `password` in every secret. */
  readonly password: string;
  /** More fields of every secret created. @default none */
  readonly secretFields?: Record<string, unknown>;
}

/** An Aurora PostgreSQL cluster with one instance (`<id>-1`); returns its endpoint. */
export async function createAuroraCluster(
  clients: AwsClients,
  region: string,
  id: string,
  opts: { password: string; globalClusterId?: string },
): Promise<string> {
  const rds = clients.rds(region);
  const c = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'app',
      MasterUserPassword: opts.password,
      DatabaseName: 'app',
      ...(opts.globalClusterId ? { GlobalClusterIdentifier: opts.globalClusterId } : {}),
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
  return c.DBCluster!.Endpoint!;
}

/** A hosted zone `example.com` with the failover record `api.example.com.`: A PRIMARY, B SECONDARY. */
async function createFailoverRecord(
  clients: AwsClients,
  o: { regionA: string; regionB: string; ref: string; healthChecks?: [string, string] },
): Promise<string> {
  const zone = await clients
    .route53()
    .send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: o.ref }));
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  const rec = (id: string, failover: 'PRIMARY' | 'SECONDARY', ip: string, hc?: string) => ({
    Action: 'CREATE' as const,
    ResourceRecordSet: {
      Name: RECORD,
      Type: 'A' as const,
      SetIdentifier: id,
      Failover: failover,
      TTL: 60,
      ResourceRecords: [{ Value: ip }],
      ...(hc ? { HealthCheckId: hc } : {}),
    },
  });
  await clients.route53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          rec(o.regionA, 'PRIMARY', IP_A, o.healthChecks?.[0]),
          rec(o.regionB, 'SECONDARY', IP_B, o.healthChecks?.[1]),
        ],
      },
    }),
  );
  return zoneId;
}

/** The failover record's name in every world here. */
export const RECORD = 'api.example.com.';
const IP_A = '192.0.2.10';
const IP_B = '198.51.100.10';

/** What {@link createFailoverWorld} built. */
export interface FailoverWorld {
  readonly zoneId: string;
  readonly hcA: string;
  readonly hcB: string;
  /** core-a's endpoint: what the endpoint secret names before the failover. */
  readonly endpointA: string;
  /** An SNS topic in region A (not in the config sections: add `notifyTopicArn` to use it). */
  readonly topicArn: string;
  /** `aws` config: Aurora clusters core-a (A) → its cross-region replica cluster core-b (B). */
  readonly aurora: Record<string, unknown>;
  /** `aws` config: the same deployment in dbMode rds-postgres, instances pg-a → pg-b. */
  readonly instances: Record<string, unknown>;
}

/**
 * RB-N-01's world: region A has the Aurora cluster core-a, region B its cross-region replica
 * cluster core-b (and the same with RDS PostgreSQL instances pg-a → pg-b); a Route 53
 * PRIMARY/SECONDARY failover record with health checks; an ECS service per region (app-a,
 * app-b); the DB endpoint secret `drkit/db-endpoint` in `secretRegions`; an SNS topic.
 */
export async function createFailoverWorld(
  clients: AwsClients,
  o: RdsWorldOptions & {
    /** Regions holding a copy of the endpoint secret. @default [regionB] (only B's app reads one) */
    readonly secretRegions?: readonly string[];
  },
): Promise<FailoverWorld> {
  const { regionA: A, regionB: B, password } = o;
  const rdsA = clients.rds(A);
  const a = await rdsA.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'core-a',
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: password,
      DatabaseName: 'app',
      BackupRetentionPeriod: 7,
    }),
  );
  await rdsA.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'core-a-1',
      DBClusterIdentifier: 'core-a',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
  const endpointA = a.DBCluster!.Endpoint!;
  // moto insists on MasterUsername/Password even for a replica (AWS takes them from the source)
  await clients.rds(B).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'core-b',
      Engine: 'aurora-postgresql',
      ReplicationSourceIdentifier: a.DBCluster!.DBClusterArn!,
      MasterUsername: 'app',
      MasterUserPassword: password,
    }),
  );
  await clients.rds(B).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'core-b-1',
      DBClusterIdentifier: 'core-b',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );

  const hcA = await createTestHealthCheck(clients, IP_A);
  const hcB = await createTestHealthCheck(clients, IP_B);
  const zoneId = await createFailoverRecord(clients, {
    regionA: A,
    regionB: B,
    ref: 'drkit-rb-n-01',
    healthChecks: [hcA, hcB],
  });

  await createTestEcsService(clients, A, 'app-a', 2);
  await createTestEcsService(clients, B, 'app-b', 1);

  for (const region of o.secretRegions ?? [B]) {
    await clients.secrets(region).send(
      new CreateSecretCommand({
        Name: 'drkit/db-endpoint',
        SecretString: endpointSecret(endpointA, password, o.secretFields),
      }),
    );
  }
  const topic = await clients.sns(A).send(new CreateTopicCommand({ Name: 'dr-alerts' }));

  const pgA = await rdsA.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'pg-a',
      Engine: 'postgres',
      DBInstanceClass: 'db.m6g.large',
      MasterUsername: 'app',
      MasterUserPassword: password,
      AllocatedStorage: 20,
      BackupRetentionPeriod: 7,
    }),
  );
  await clients.rds(B).send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: 'pg-b',
      SourceDBInstanceIdentifier: pgA.DBInstance!.DBInstanceArn!,
      DBInstanceClass: 'db.m6g.large',
    }),
  );
  const section = (db: 'dbCluster' | 'dbInstance', a: string, b: string) => ({
    regionA: A,
    regionB: B,
    failoverTasks: 3,
    route53: { hostedZoneId: zoneId, recordName: RECORD },
    regions: {
      a: { [db]: a, ecsCluster: 'app-a', ecsService: 'web', recordValue: IP_A, healthCheckId: hcA },
      b: { [db]: b, ecsCluster: 'app-b', ecsService: 'web', recordValue: IP_B, healthCheckId: hcB },
    },
  });
  return {
    zoneId,
    hcA,
    hcB,
    endpointA,
    topicArn: topic.TopicArn!,
    aurora: section('dbCluster', 'core-a', 'core-b'),
    instances: section('dbInstance', 'pg-a', 'pg-b'),
  };
}

/** What {@link createSwitchoverWorld} built. */
export interface SwitchoverWorld {
  readonly zoneId: string;
  /** The endpoint secret's name (a copy in each region). */
  readonly secret: string;
  /** `aws` config of a deployment on clusters `a` (region A) and `b` (region B). */
  config(globalClusterId: string | undefined, a: string, b: string): Record<string, unknown>;
}

/**
 * The planned switchover's and RB-N-08's world: two Aurora Global Databases, `core-global`
 * written from region A (core-a → core-b) and `after-failover` already failed over to region
 * B (fo-b → fo-a), two clusters in no global database (solo-a, solo-b); a Route 53 failover
 * record; an ECS service per region (app-a, app-b); a copy of `drkit/db-endpoint` in each
 * region, naming core-a.
 */
export async function createSwitchoverWorld(
  clients: AwsClients,
  o: RdsWorldOptions,
): Promise<SwitchoverWorld> {
  const { regionA: A, regionB: B, password } = o;
  const global = async (region: string, id: string) =>
    await clients.rds(region).send(
      new CreateGlobalClusterCommand({
        GlobalClusterIdentifier: id,
        Engine: 'aurora-postgresql',
        EngineVersion: '15.4',
      }),
    );
  // the writer is the cluster created first
  await global(A, 'core-global');
  const hostA = await createAuroraCluster(clients, A, 'core-a', {
    password,
    globalClusterId: 'core-global',
  });
  await createAuroraCluster(clients, B, 'core-b', { password, globalClusterId: 'core-global' });
  await global(B, 'after-failover');
  await createAuroraCluster(clients, B, 'fo-b', { password, globalClusterId: 'after-failover' });
  await createAuroraCluster(clients, A, 'fo-a', { password, globalClusterId: 'after-failover' });
  await createAuroraCluster(clients, A, 'solo-a', { password });
  await createAuroraCluster(clients, B, 'solo-b', { password });

  const zoneId = await createFailoverRecord(clients, {
    regionA: A,
    regionB: B,
    ref: 'drkit-switchover',
  });
  await createTestEcsService(clients, A, 'app-a', 2);
  await createTestEcsService(clients, B, 'app-b', 1);
  // one copy of the endpoint secret per region: the app in each region reads its own
  const secret = 'drkit/db-endpoint';
  for (const region of [A, B]) {
    await clients.secrets(region).send(
      new CreateSecretCommand({
        Name: secret,
        SecretString: endpointSecret(hostA, password, { dbClusterId: 'core-a', ...o.secretFields }),
      }),
    );
  }
  return {
    zoneId,
    secret,
    config: (globalClusterId, a, b) => ({
      regionA: A,
      regionB: B,
      failoverTasks: 3,
      warmTasks: 1,
      ...(globalClusterId ? { globalClusterId } : {}),
      route53: { hostedZoneId: zoneId, recordName: RECORD },
      regions: {
        a: { dbCluster: a, ecsCluster: 'app-a', ecsService: 'web', recordValue: IP_A },
        b: { dbCluster: b, ecsCluster: 'app-b', ecsService: 'web', recordValue: IP_B },
      },
    }),
  };
}

/** What {@link createPitrWorld} built. */
export interface PitrWorld {
  /** The source cluster's endpoint (what the endpoint secret names). */
  readonly sourceHost: string;
  readonly sourceArn: string;
  /** `aws` config: the endpoint secret, the functions, the writer class. */
  readonly config: Record<string, unknown>;
}

/**
 * RB-N-02's AWS world: an Aurora cluster `cluster` (with a writer) in region A, the app's
 * endpoint secret `secret` (RDS style) in both regions, Lambda functions whose
 * `DB_CLUSTER_ARN` names the cluster.
 */
export async function createPitrWorld(
  clients: AwsClients,
  endpoint: string,
  o: RdsWorldOptions & { cluster: string; secret: string; functions: readonly string[] },
): Promise<PitrWorld> {
  const rds = clients.rds(o.regionA);
  const c = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: o.cluster,
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: o.password,
      DatabaseName: 'radiant',
      BackupRetentionPeriod: 7,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${o.cluster}-1`,
      DBClusterIdentifier: o.cluster,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
  const sourceHost = c.DBCluster!.Endpoint!;
  for (const region of [o.regionA, o.regionB]) {
    await clients.secrets(region).send(
      new CreateSecretCommand({
        Name: o.secret,
        SecretString: endpointSecret(sourceHost, o.password, {
          dbname: 'radiant',
          ...o.secretFields,
        }),
      }),
    );
  }
  const role = await createRole(endpoint, `${o.cluster}-lambda`);
  for (const n of o.functions) {
    await clients.lambda(o.regionA).send(
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
  return {
    sourceHost,
    sourceArn: c.DBCluster!.DBClusterArn!,
    config: {
      regionA: o.regionA,
      regionB: o.regionB,
      dbEndpointSecret: o.secret,
      dbFunctions: { names: o.functions },
      writerInstanceClass: 'db.r6g.large',
    },
  };
}
