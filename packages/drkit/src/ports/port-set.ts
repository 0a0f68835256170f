import type { ApiGateway } from './api-gateway.js';
import type { AppSecret } from './app-secret.js';
import type { AppTasks } from './app-tasks.js';
import type { Cdn } from './cdn.js';
import type { Compute } from './compute.js';
import type { Database } from './database.js';
import type { DbCredentials } from './db-credentials.js';
import type { Functions } from './functions.js';
import type { Identity } from './identity.js';
import type { IncidentDesk } from './incidents.js';
import type { IncidentDetector } from './incident-detector.js';
import type { KeyValue } from './key-value.js';
import type { MailOutbox } from './mail-outbox.js';
import type { MailerFactory } from './mailer.js';
import type { Notifier } from './notifier.js';
import type { PaymentEvents } from './payment-events.js';
import type { PaymentLedger } from './payment-ledger.js';
import type { ObjectStore } from './object-store.js';
import type { RegionTopology } from './region-topology.js';
import type { Router } from './router.js';
import type { SearchIndex } from './search-index.js';
import type { SecretRotation, UserPools } from './secret-rotation.js';
import type { Secrets } from './secrets.js';
import type { SqlConnector } from './sql.js';
import type { StatusPage } from './status-page.js';
import type { WebhookEndpoint } from './webhook-endpoint.js';

/** Functions that name the database by its cluster ARN, and the variable that holds it. */
export interface DatabaseFunctions {
  readonly port: Functions;
  readonly names: readonly string[];
  readonly envVar: string;
}

/**
 * Every port a runbook can ask for, by name. A runbook entry lists the names it needs; a
 * provider binds the ones its world has (`providers/lab`, `providers/aws`) and refuses the
 * others with a `CapabilityError` naming the port, before anything runs.
 */
export interface PortSet {
  /** The database service of the primary region (RB-N-02 restores from and into it). */
  readonly database: Database;
  /** Where the app reads its DB endpoint and `global_readonly` (RB-N-02's freeze and swap). */
  readonly appSecret: AppSecret;
  readonly notifier: Notifier;
  /** Incidents: escalation matrix, channels, status page (every declare step opens one). */
  readonly incidents: IncidentDesk;
  /** The status page customers read (Statuspage; the lab's own page). */
  readonly statusPage: StatusPage;
  /** The app's running tasks, which confirm a freeze (the lab; AWS tasks are out of reach). */
  readonly appTasks: AppTasks;
  /** SQL connections to a database endpoint (validation, post-checks). */
  readonly sql: SqlConnector;
  /** The app's login roles in the database (RB-N-02 carries the current one to a restore). */
  readonly dbCredentials: DbCredentials;
  /** Functions whose `DB_CLUSTER_ARN` follows the database (seed 003's full recovery). */
  readonly databaseFunctions: DatabaseFunctions;
  readonly objectStore: ObjectStore;
  readonly cdn: Cdn;
  /** The databases of both regions, addressed by cluster id (the region runbooks). */
  readonly regionDatabase: Database;
  /** The app's endpoint secret as the region runbooks write it: every region's copy. */
  readonly regionAppSecret: AppSecret;
  readonly router: Router;
  readonly compute: Compute;
  readonly regionTopology: RegionTopology;
  readonly incidentDetector: IncidentDetector;
  readonly apiGateway: ApiGateway;
  readonly identity: Identity;
  readonly secretRotation: SecretRotation;
  readonly userPools: UserPools;
  readonly keyValue: KeyValue;
  /** The secret store application config lives in (RB-N-05's config-secret swap). */
  readonly configSecrets: Secrets;
  readonly functions: Functions;
  /** The search cluster RB-N-04 rebuilds (Typesense). */
  readonly searchIndex: SearchIndex;
  /** Opens a mailer from an email provider's credentials (SMTP, SES): RB-N-07. */
  readonly mailers: MailerFactory;
  /** The secret store holding the email providers' credentials (region B's on aws): RB-N-07. */
  readonly mailSecrets: Secrets;
  /** The app's mail outbox, the idempotency record of critical mail: RB-N-07. */
  readonly mailOutbox: MailOutbox;
  /** The payment provider's events and payments (Stripe, localstripe): RB-N-06. */
  readonly paymentEvents: PaymentEvents;
  /** The app's payment webhook endpoint, replayed into: RB-N-06. */
  readonly webhookEndpoint: WebhookEndpoint;
  /**
   * The app's webhook processing function called directly on its database (no HTTP, no
   * signature check), marked replayed: RB-N-06 with `delivery=direct`.
   */
  readonly webhookProcessor: WebhookEndpoint;
  /** The app's processed events, paid orders and dead letters (read-only): RB-N-06. */
  readonly paymentLedger: PaymentLedger;
}

/** The name of a port in {@link PortSet}. */
export type PortName = keyof PortSet;

/**
 * A provider's ports as a runbook entry sees them: bound lazily, by name. `port` of a name the
 * provider does not bind throws a `CapabilityError` naming the port and the provider.
 */
export interface PortBinding {
  /** The provider's name (`lab`, `aws`): for messages and journals. */
  readonly provider: string;
  /** Whether the provider binds `name` (without binding it). */
  has(name: PortName): boolean;
  /** The port, bound on first use. @throws CapabilityError when the provider has none */
  port<K extends PortName>(name: K): PortSet[K];
}
