import path from 'node:path';
import { LAB_APP_FORMAT } from '../../adapters/app-secret/index.js';
import {
  ApiGatewayStages,
  AwsClients,
  CloudFrontCdn,
  CognitoIdentity,
  DynamoDbKeyValue,
  LambdaFunctions,
  S3ObjectStore,
  SecretsManagerSecrets,
  SesMailer,
} from '../../adapters/aws/index.js';
import { TypesenseSearchIndex } from '../../adapters/typesense/index.js';
import { HaproxyApiGateway } from '../../adapters/haproxy/index.js';
import { LabSessions } from '../../adapters/lab-sessions/index.js';
import { PgRoleRotation } from '../../adapters/postgres-roles/index.js';
import { PgMailOutbox } from '../../adapters/postgres-outbox/index.js';
import type { DrkitConfig } from '../../config/schema.js';
import { ConfigError } from '../../engine/errors.js';
import { APP_CONFIG_SECRET } from '../../lab/app-config.js';
import { HealthDetector } from '../../lab/health-detector.js';
import { labProvider } from '../../lab/provider.js';
import { appSearchOf, readLabSearch, searchUrl } from '../../lab/search-lab.js';
import {
  readTopology,
  regionMove,
  regionProvider,
  type RegionProvider,
} from '../../lab/regions.js';
import type { AppSecret } from '../../ports/app-secret.js';
import type { IncidentDetector } from '../../ports/incident-detector.js';
import type { PortName } from '../../ports/port-set.js';
import type { RegionTopology } from '../../ports/region-topology.js';
import { PreconditionError } from '../../engine/errors.js';
import { readLabPayments } from '../../lab/payments-lab.js';
import { mailerFactory } from '../mailer-factory.js';
import {
  NO_WEBHOOK_URL,
  paymentEvents,
  paymentLedger,
  webhookEndpoint,
  webhookProcessor,
} from '../payments.js';
import { incidentDeskOf, statusPageOf } from '../incidents.js';
import { makeProvider, type Missing, type PortFactories, type Provider } from '../provider.js';

/** Options of {@link bindLab}. */
export interface LabBindOptions {
  /** Shell commands the lab runs, one line each. @default not shown */
  readonly log?: (line: string) => void;
}

/** The AWS services the lab borrows from a moto server (`aws.endpoint`), by port. */
const ON_MOTO: Partial<Record<PortName, string>> = {
  objectStore: 'object store',
  cdn: 'CDN',
  keyValue: 'DynamoDB',
  configSecrets: 'config secrets store',
  functions: 'functions',
};

/**
 * The lab provider: the two-region lab `drkit lab up` built under the state dir — PostgreSQL
 * and pgBackRest, file secrets, the log notifier, the HAProxy front door, the app tasks and the
 * health detector; for the security breach, the front door's API (isolated at HAProxy), the
 * app's login roles (rotated without a failed write) and its sessions (signed out by epoch).
 * With `aws.endpoint` set (a moto server) it binds S3, CloudFront, API Gateway, Cognito,
 * Secrets Manager, DynamoDB and Lambda there (the AWS breach ports then win over the lab's).
 */
export function bindLab(
  labConfig: DrkitConfig,
  baseDir: string,
  opts: LabBindOptions = {},
): Provider {
  const lab = labProvider(labConfig, baseDir, opts.log ? { log: opts.log } : {});
  const config = withLabPayments(labConfig, readLabPayments(lab));
  const appSecret: AppSecret = {
    secrets: lab.secrets,
    format: LAB_APP_FORMAT,
    defaultName: APP_CONFIG_SECRET,
  };
  // the two-region layout `drkit lab up` wrote: read when a region port is first asked for
  let regions: RegionProvider | undefined;
  const region = (): RegionProvider => (regions ??= regionProvider(lab));
  const clients = config.aws.endpoint
    ? new AwsClients({ endpoint: config.aws.endpoint, defaultRegion: config.aws.regionA })
    : undefined;
  const region1 = config.aws.regionA;
  const moto: PortFactories = clients
    ? {
        objectStore: () => new S3ObjectStore({ clients, region: region1 }),
        cdn: () => new CloudFrontCdn({ clients }),
        apiGateway: () => new ApiGatewayStages({ clients, region: region1 }),
        identity: () => new CognitoIdentity({ clients, region: region1 }),
        userPools: () => new CognitoIdentity({ clients, region: region1 }),
        secretRotation: () => new SecretsManagerSecrets({ clients, region: region1 }),
        keyValue: () => new DynamoDbKeyValue({ clients, region: region1 }),
        // RB-N-05's config secret is then Secrets Manager on moto too, not the lab's files
        configSecrets: () => new SecretsManagerSecrets({ clients, region: region1 }),
        functions: () => new LambdaFunctions({ clients, region: region1 }),
      }
    : {};
  const topology = (): RegionTopology => {
    const r = region();
    return {
      kind: 'lab',
      frontDoorUrl: r.router.url,
      // which cluster the app points at decides the direction
      move: () => regionMove(lab, r),
      // `lab up --search`: a Typesense server per region
      searchOf: async (name: string) => {
        const st = readLabSearch(lab);
        const s = st?.servers.find((x) => x.region === name);
        if (!st || !s) return undefined;
        return {
          index: new TypesenseSearchIndex({ url: searchUrl(s), apiKey: s.apiKey }),
          schemas: st.schemas,
          workDir: path.join(lab.paths.stateDir, 'search-reindex'),
          journalDir: lab.paths.journalDir,
          appSearch: { ...appSearchOf(s, st.alias) },
        };
      },
    };
  };
  const detector = (): IncidentDetector => {
    const t = region().topology;
    const hc = t.health;
    return {
      kind: 'lab-health-detector',
      async watch(say) {
        const d = new HealthDetector({
          targets: t.slots
            .filter((s) => s.region === t.primaryRegion)
            .map((s) => `127.0.0.1:${s.port}`),
          intervalMs: hc.intervalMs,
          failureThreshold: hc.fall,
          timeoutMs: hc.timeoutMs,
        });
        say(`watching region ${t.primaryRegion}: ${hc.intervalMs} ms × ${hc.fall} failures`);
        d.start();
        const inc = await d.incident;
        say(
          `incident declared at ${inc.declaredAt.toISOString()} (first failure ${inc.firstFailureAt.toISOString()})`,
        );
        return inc;
      },
    };
  };
  // the app's own tables (mail outbox, payments) live in the database its secret names
  const appDb = async () => {
    const ep = LAB_APP_FORMAT.view(await lab.secrets.get(APP_CONFIG_SECRET)).endpoint;
    if (!ep) throw new PreconditionError(`${APP_CONFIG_SECRET} names no database endpoint`);
    return await lab.connect(ep);
  };
  let outbox: PgMailOutbox | undefined;
  const mailOutbox = (): PgMailOutbox => (outbox ??= new PgMailOutbox({ connect: appDb }));
  // the security breach on the lab: the front door's API, the app's login roles, its sessions
  const appTasks = async () => (readTopology(lab) ? await region().compute.appTasks() : []);
  let roles: PgRoleRotation | undefined;
  const rotation = (): PgRoleRotation =>
    (roles ??= new PgRoleRotation({
      secrets: lab.secrets,
      appSecretName: APP_CONFIG_SECRET,
      admin: lab.connect,
      tasks: appTasks,
    }));
  let sessions: LabSessions | undefined;
  const appSessions = (): LabSessions =>
    (sessions ??= new LabSessions({ secrets: lab.secrets, appDb, tasks: appTasks }));
  const stateDir = lab.paths.stateDir;
  const statusPage = () => statusPageOf(config.incidents, stateDir);
  return makeProvider({
    provider: 'lab',
    config,
    journalDir: lab.paths.journalDir,
    ports: {
      database: () => lab.database,
      appSecret: () => appSecret,
      notifier: () => lab.notifier,
      incidents: () =>
        incidentDeskOf(
          config.incidents,
          stateDir,
          { log: lab.notifier, ...(clients ? { awsClients: clients } : {}) },
          statusPage,
        ),
      ...(config.incidents.statusPage.type !== 'none' ? { statusPage: () => statusPage()! } : {}),
      sql: () => lab.connect,
      regionDatabase: () => lab.database,
      regionAppSecret: () => appSecret,
      router: () => region().router,
      compute: () => region().compute,
      // the tasks `lab up` started (none in a lab without them): a freeze waits for each
      appTasks: () => ({ kind: 'lab', list: appTasks }),
      apiGateway: () => new HaproxyApiGateway(region().router),
      secretRotation: rotation,
      dbCredentials: rotation,
      identity: appSessions,
      userPools: appSessions,
      regionTopology: topology,
      incidentDetector: detector,
      ...(config.search.url ? { searchIndex: () => searchIndexOf(config) } : {}),
      mailers: () =>
        mailerFactory(clients ? { ses: (r) => new SesMailer({ clients, region: r }) } : {}),
      mailSecrets: () => lab.secrets,
      mailOutbox,
      paymentEvents: () => paymentEvents(config, lab.secrets),
      ...(config.payments.webhookUrl
        ? { webhookEndpoint: () => webhookEndpoint(config, lab.secrets) }
        : {}),
      paymentLedger: () => paymentLedger(appDb),
      webhookProcessor: () => webhookProcessor(appDb),
      ...moto,
    },
    missing: (port): Missing | undefined => {
      if (port === 'searchIndex')
        return {
          what: 'search cluster',
          hint: 'set search.url in the config (and its API key in the variable search.apiKeyEnv names)',
        };
      if (port === 'webhookEndpoint') return NO_WEBHOOK_URL;
      const what = ON_MOTO[port];
      if (!what) return undefined;
      return {
        what,
        hint: 'run it with --provider aws, or set aws.endpoint in the config to a moto server: the lab then binds the AWS services there',
      };
    },
    close: () => {
      clients?.destroy();
      void outbox?.close();
    },
  });
}

/** The search cluster of `search.url`, its key from the environment (never from the file). */
function searchIndexOf(config: DrkitConfig): TypesenseSearchIndex {
  const apiKey = process.env[config.search.apiKeyEnv];
  if (!apiKey) {
    throw new ConfigError(`search.url is set but ${config.search.apiKeyEnv} is empty`, {
      hint: `export ${config.search.apiKeyEnv}=<the Typesense admin key>`,
    });
  }
  return new TypesenseSearchIndex({ url: config.search.url!, apiKey });
}

/**
 * A lab built with `lab up --payments` provides the payments config the drkit config leaves
 * out: localstripe's API base (flavour `localstripe`) and the front door's webhook URL, with
 * the secret names the lab stored. What the config sets wins.
 */
function withLabPayments(
  config: DrkitConfig,
  lab: ReturnType<typeof readLabPayments>,
): DrkitConfig {
  if (!lab || config.payments.apiBase) return config;
  return {
    ...config,
    payments: {
      ...config.payments,
      apiBase: lab.apiBase,
      flavour: 'localstripe',
      webhookUrl: config.payments.webhookUrl ?? lab.webhookUrl,
      apiKeySecret: lab.apiKeySecret,
      webhookSecret: lab.webhookSecret,
    },
  };
}
