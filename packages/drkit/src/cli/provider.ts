import pg from 'pg';
import {
  ApiGatewayStages,
  AwsClients,
  CloudFrontCdn,
  CognitoIdentity,
  createAwsAdapters,
  DynamoDbKeyValue,
  LambdaFunctions,
  S3ObjectStore,
  SecretsManagerSecrets,
} from '../adapters/aws/index.js';
import { MultiRegionSecrets } from '../adapters/aws/multi-region-secrets.js';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { CapabilityError, OutOfWindowError, PreconditionError } from '../engine/errors.js';
import { RDS_SECRET_FORMAT } from '../lab/app-config.js';
import { labPaths, labProvider } from '../lab/provider.js';
import { regionDeps, regionMoveParams, regionProvider } from '../lab/regions.js';
import type { Endpoint } from '../ports/database.js';
import type { Secrets } from '../ports/secrets.js';
import type { RunbookPorts } from '../runbooks/registry.js';
import type { TableRestoreParams } from '../runbooks/table-restore/index.js';
import type { SecurityBreachParams } from '../runbooks/security-breach/index.js';
import { bindAwsRegions } from './aws-regions.js';

/** The ports bound for one CLI invocation, plus where its journals go. */
export interface BoundProvider {
  readonly ports: RunbookPorts;
  readonly journalDir: string;
  /** Releases SDK sockets (the CLI exits sooner). */
  close(): void;
}

/** Options of {@link bindProvider}. */
export interface BindOptions {
  /** Shell commands the lab runs, one line each. @default not shown */
  readonly log?: (line: string) => void;
}

/**
 * Binds the runbook ports for `provider` from config: the lab's PostgreSQL/pgBackRest, file
 * secrets and log notifier, or the AWS adapters (RDS, Secrets Manager, SNS, S3, CloudFront) in
 * `aws.regionA`, through `aws.endpoint` when set (the moto server).
 */
export function bindProvider(
  provider: 'lab' | 'aws',
  config: DrkitConfig,
  baseDir: string,
  opts: BindOptions = {},
): BoundProvider {
  return provider === 'aws' ? bindAws(config, baseDir) : bindLab(config, baseDir, opts);
}

function bindLab(config: DrkitConfig, baseDir: string, opts: BindOptions): BoundProvider {
  const p = labProvider(config, baseDir, opts.log ? { log: opts.log } : {});
  // The lab has no S3 of its own: RB-N-03 runs against the moto server when one is configured.
  const clients = config.aws.endpoint
    ? new AwsClients({ endpoint: config.aws.endpoint, defaultRegion: config.aws.regionA })
    : undefined;
  return {
    journalDir: p.paths.journalDir,
    ports: {
      provider: 'lab',
      database: p.database,
      secrets: p.secrets,
      notifier: p.notifier,
      connect: p.connect,
      planRestore: (req) =>
        p.database
          .planRestore(req)
          .steps.map((s) =>
            s.command ? `${s.phase}: ${s.command}` : `${s.phase}: ${s.description}`,
          ),
      objectStore: () => {
        if (!clients) {
          throw new CapabilityError(
            'the lab provider has no object store: run RB-N-03 with --provider aws',
            {
              hint: 'or set aws.endpoint in the config to a moto server: the lab then binds S3 there',
            },
          );
        }
        return new S3ObjectStore({ clients, region: config.aws.regionA });
      },
      ...(clients ? { cdn: new CloudFrontCdn({ clients }) } : {}),
      // the two-region lab `drkit lab up` built; its move parameters are read from it (which
      // cluster the app points at decides the direction)
      regions: () => {
        const r = regionProvider(p);
        return {
          deps: regionDeps(p, r),
          defaults: regionMoveParams(p, r, { reason: 'regional failover', trigger: 'manual' }),
        };
      },
      ...(config.aws.cdnDistributionId
        ? { defaultDistributionId: config.aws.cdnDistributionId }
        : {}),
      // the lab has no API gateway, Cognito or Secrets Manager of its own: only on moto
      breach: () => {
        if (!clients) {
          throw new CapabilityError(
            'the lab provider has no API gateway, user pools or rotating secrets: run the security-breach runbooks with --provider aws',
            {
              hint: 'or set aws.endpoint in the config to a moto server: the lab then binds them there',
            },
          );
        }
        const region = config.aws.regionA;
        const identity = new CognitoIdentity({ clients, region });
        return {
          deps: {
            apiGateway: new ApiGatewayStages({ clients, region }),
            identity,
            rotation: new SecretsManagerSecrets({ clients, region }),
            pools: identity,
            notifier: p.notifier,
          },
          defaults: breachDefaults(config),
          journalDir: p.paths.journalDir,
        };
      },
      // RB-N-05: the lab has no DynamoDB of its own either; the app's config secret is then
      // Secrets Manager on moto too (not the lab's file secrets)
      tables: () => {
        if (!clients) {
          throw new CapabilityError(
            'the lab provider has no DynamoDB: run RB-N-05 with --provider aws',
            {
              hint: 'or set aws.endpoint in the config to a moto server: the lab then binds DynamoDB, Secrets Manager and Lambda there',
            },
          );
        }
        const region = config.aws.regionA;
        return {
          deps: {
            keyValue: new DynamoDbKeyValue({ clients, region }),
            secrets: new SecretsManagerSecrets({ clients, region }),
            functions: new LambdaFunctions({ clients, region }),
            notifier: p.notifier,
          },
          defaults: tableDefaults(config),
        };
      },
    },
    close: () => clients?.destroy(),
  };
}

function bindAws(config: DrkitConfig, baseDir: string): BoundProvider {
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
  const database = aws.database.primary;
  const secrets = aws.secrets.primary;
  // without a topic, notifications are kept in the state dir rather than lost
  const notifier = aws.notifier ?? new LogNotifier(paths.notificationsFile);
  const connect = (ep: Endpoint) => connectRds(ep, secrets, a.dbCredentialsSecret, a.dbSsl);
  return {
    journalDir: paths.journalDir,
    ports: {
      provider: 'aws',
      database,
      // the app's endpoint secret: RDS layout, every region's copy (RB-N-02 restores in A;
      // the app in B reads B's copy)
      secrets: new MultiRegionSecrets([secrets, aws.secrets.secondary]),
      appSecretFormat: RDS_SECRET_FORMAT,
      defaultAppConfigSecret: a.dbEndpointSecret,
      ...(a.dbFunctions.names.length
        ? {
            functions: {
              port: aws.functions.primary,
              names: a.dbFunctions.names,
              envVar: a.dbFunctions.envVar,
            },
          }
        : {}),
      notifier,
      connect,
      // read-only: checks the target against the source's window so a dry run refuses what
      // the real run would, then lists the exact RDS calls
      planRestore: async (req) => {
        if (req.target !== 'latest') {
          const w = await database.recoverableWindow(req.source);
          const t = req.target.getTime();
          if (Number.isNaN(t) || t < w.earliest.getTime() || t > w.latest.getTime()) {
            throw new OutOfWindowError(
              `restore target ${Number.isNaN(t) ? String(req.target) : req.target.toISOString()} is outside the recoverable window of ${req.source}: ${w.earliest.toISOString()} .. ${w.latest.toISOString()}`,
              {
                hint: 'pick a time inside the window, or target "latest"',
                details: { earliest: w.earliest.toISOString(), latest: w.latest.toISOString() },
              },
            );
          }
        }
        return database.planRestoreToTime(req);
      },
      objectStore: () => aws.objectStore.primary,
      cdn: aws.cdn,
      regions: () => bindAwsRegions(config, aws, notifier, connect),
      ...(a.cdnDistributionId ? { defaultDistributionId: a.cdnDistributionId } : {}),
      breach: () => ({
        deps: {
          apiGateway: aws.apiGateway.primary,
          identity: aws.identity.primary,
          rotation: aws.secrets.primary,
          pools: aws.identity.primary,
          notifier,
        },
        defaults: breachDefaults(config),
        journalDir: paths.journalDir,
      }),
      tables: () => ({
        deps: {
          keyValue: aws.keyValue.primary,
          secrets,
          functions: aws.functions.primary,
          notifier,
        },
        defaults: tableDefaults(config),
      }),
    },
    close: () => aws.clients.destroy(),
  };
}

/** The security-breach parameters set in config (`aws.breach`); `--param` values override them. */
function breachDefaults(config: DrkitConfig): Partial<SecurityBreachParams> {
  const b = config.aws.breach;
  return {
    ...(b.apiStages.length ? { apiStages: b.apiStages } : {}),
    ...(b.rotateSecrets.length ? { rotateSecrets: b.rotateSecrets } : {}),
    ...(b.userPools.length ? { userPools: b.userPools } : {}),
    ...(b.rotationLambdaArn ? { rotationLambdaArn: b.rotationLambdaArn } : {}),
  };
}

/** RB-N-05's parameters set in config (`aws.dynamodb`); `--param` values override them. */
function tableDefaults(config: DrkitConfig): Partial<TableRestoreParams> {
  const d = config.aws.dynamodb;
  return {
    ...(d.configSecret ? { configSecret: d.configSecret } : {}),
    ...(d.configKey ? { configKey: d.configKey } : {}),
    ...(d.functions.length ? { functions: d.functions } : {}),
    ...(d.envVar ? { envVar: d.envVar } : {}),
  };
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
