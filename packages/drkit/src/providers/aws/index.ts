import pg from 'pg';
import { RDS_SECRET_FORMAT } from '../../adapters/app-secret/index.js';
import { createAwsAdapters, SesMailer } from '../../adapters/aws/index.js';
import { MultiRegionSecrets } from '../../adapters/aws/multi-region-secrets.js';
import { LogNotifier } from '../../adapters/log-notifier/index.js';
import { PgMailOutbox } from '../../adapters/postgres-outbox/index.js';
import type { DrkitConfig } from '../../config/schema.js';
import { PreconditionError } from '../../engine/errors.js';
import { labPaths } from '../../lab/provider.js';
import type { Endpoint } from '../../ports/database.js';
import type { Secrets } from '../../ports/secrets.js';
import { mailerFactory } from '../mailer-factory.js';
import {
  NO_WEBHOOK_URL,
  paymentEvents,
  paymentLedger,
  webhookEndpoint,
  webhookProcessor,
} from '../payments.js';
import { incidentDeskOf, statusPageOf } from '../incidents.js';
import { makeProvider, type Provider } from '../provider.js';
import { bindAwsRegions, type AwsRegionPorts } from './regions.js';

/**
 * The AWS provider: the SDK v3 adapters in `aws.regionA` (and `aws.regionB` for the region
 * runbooks), through `aws.endpoint` when set (the moto server). Without `aws.notifyTopicArn`
 * notifications are kept in the state dir rather than lost.
 */
export function bindAws(config: DrkitConfig, baseDir: string): Provider {
  const a = config.aws;
  const aws = createAwsAdapters({
    primaryRegion: a.regionA,
    secondaryRegion: a.regionB,
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
    ...(a.notifyTopicArn ? { snsTopicArn: a.notifyTopicArn } : {}),
    rds: {
      ...(a.writerInstanceClass ? { writerInstanceClass: a.writerInstanceClass } : {}),
      ...(a.dbSubnetGroupName ? { dbSubnetGroupName: a.dbSubnetGroupName } : {}),
    },
  });
  const paths = labPaths(config, baseDir);
  const secrets = aws.secrets.primary;
  const notifier = aws.notifier ?? new LogNotifier(paths.notificationsFile);
  const connect = (ep: Endpoint) => connectRds(ep, secrets, a.dbCredentialsSecret, a.dbSsl);
  // RB-N-01's world: both regions' databases, the Route 53 record, the ECS services; built on
  // first use so that a missing key fails only a region runbook (naming every missing key)
  let regions: AwsRegionPorts | undefined;
  const region = (): AwsRegionPorts => (regions ??= bindAwsRegions(config, aws));
  // the app's own tables (mail outbox, payments) live in the database its secret names
  const appDb = async () => {
    const ep = RDS_SECRET_FORMAT.view(await secrets.get(a.dbEndpointSecret)).endpoint;
    if (!ep) throw new PreconditionError(`${a.dbEndpointSecret} names no database endpoint`);
    return await connect(ep);
  };
  let outbox: PgMailOutbox | undefined;
  const mailOutbox = (): PgMailOutbox => (outbox ??= new PgMailOutbox({ connect: appDb }));
  const statusPage = () => statusPageOf(config.incidents, paths.stateDir);
  return makeProvider({
    provider: 'aws',
    config,
    journalDir: paths.journalDir,
    ports: {
      database: () => aws.database.primary,
      // the app's endpoint secret: RDS layout, every region's copy (RB-N-02 restores in A;
      // the app in B reads B's copy)
      appSecret: () => ({
        secrets: new MultiRegionSecrets([secrets, aws.secrets.secondary]),
        format: RDS_SECRET_FORMAT,
        defaultName: a.dbEndpointSecret,
      }),
      notifier: () => notifier,
      // the `log` channel is the provider's notifier: SNS with aws.notifyTopicArn
      incidents: () =>
        incidentDeskOf(
          config.incidents,
          paths.stateDir,
          { log: notifier, awsClients: aws.clients },
          statusPage,
        ),
      ...(config.incidents.statusPage.type !== 'none' ? { statusPage: () => statusPage()! } : {}),
      sql: () => connect,
      ...(a.dbFunctions.names.length
        ? {
            databaseFunctions: () => ({
              port: aws.functions.primary,
              names: a.dbFunctions.names,
              envVar: a.dbFunctions.envVar,
            }),
          }
        : {}),
      objectStore: () => aws.objectStore.primary,
      cdn: () => aws.cdn,
      regionDatabase: () => region().regionDatabase,
      regionAppSecret: () => region().regionAppSecret,
      router: () => region().router,
      compute: () => region().compute,
      regionTopology: () => region().regionTopology,
      apiGateway: () => aws.apiGateway.primary,
      identity: () => aws.identity.primary,
      userPools: () => aws.identity.primary,
      secretRotation: () => aws.secrets.primary,
      keyValue: () => aws.keyValue.primary,
      configSecrets: () => secrets,
      functions: () => aws.functions.primary,
      mailers: () =>
        mailerFactory({ ses: (region) => new SesMailer({ clients: aws.clients, region }) }),
      // RB-N-07 switches the provider credentials in region B's secrets (the seeds' step)
      mailSecrets: () => aws.secrets.secondary,
      mailOutbox,
      paymentEvents: () => paymentEvents(config, secrets),
      ...(config.payments.webhookUrl
        ? { webhookEndpoint: () => webhookEndpoint(config, secrets) }
        : {}),
      paymentLedger: () => paymentLedger(appDb),
      webhookProcessor: () => webhookProcessor(appDb),
    },
    missing: (port) =>
      port === 'incidentDetector'
        ? {
            what: 'incident detector of its own (--detect watches the lab’s region A)',
            hint: 'drop --detect: on AWS, RB-N-01 reads the Route 53 health check and the cluster status itself',
          }
        : port === 'databaseFunctions'
          ? { what: 'functions configured', hint: 'set aws.dbFunctions.names' }
          : port === 'webhookEndpoint'
            ? NO_WEBHOOK_URL
            : undefined,
    close: () => {
      aws.clients.destroy();
      void outbox?.close();
    },
  });
}

/**
 * Connects to an RDS endpoint with the password from the credentials secret. The password is
 * passed to the driver only: never logged, journaled or put in an error message.
 */
export async function connectRds(
  ep: Endpoint,
  secrets: Secrets,
  secretName: string,
  ssl: 'require' | 'verify-full' | 'disable',
): Promise<pg.Client> {
  const cred = await secrets.get(secretName);
  const password = cred.password;
  if (typeof password !== 'string' || password === '') {
    throw new PreconditionError(`secret ${secretName} has no 'password'`, {
      hint: 'store {"username": …, "password": …} there, or set aws.dbCredentialsSecret',
    });
  }
  const user = typeof cred.username === 'string' && cred.username !== '' ? cred.username : ep.user;
  const c = new pg.Client({
    host: ep.host,
    port: ep.port,
    user,
    password,
    database: ep.database,
    connectionTimeoutMillis: 10_000,
    ...(ssl === 'disable'
      ? {}
      : { ssl: ssl === 'verify-full' ? true : { rejectUnauthorized: false } }),
  });
  await c.connect();
  return c;
}
