/**
 * The app's context keys (cdk.json / `--context`), validated once at the start of synthesis.
 * An invalid value fails synth with a message naming the key.
 */

/** How the PostgreSQL tier is deployed. */
export type DbMode = 'rds-postgres' | 'aurora-global';

/** The validated configuration every stack receives. */
export interface DrContext {
  /** Account all stacks deploy to. @default '111111111111' (a placeholder: synth needs no account) */
  readonly account: string;
  /** Primary region (A). @default 'ap-southeast-2' */
  readonly regionA: string;
  /** Warm-standby region (B). @default 'us-west-2' */
  readonly regionB: string;
  /** Database mode. @default 'rds-postgres' */
  readonly dbMode: DbMode;
  /** Tasks the primary service runs in A (and B scales to on failover). @default 2 */
  readonly primaryTasks: number;
  /** Tasks kept running in B while A is primary. @default 1 */
  readonly warmStandbyTasks: number;
  /** Email subscribed to the alarm topics. @default - no email subscription */
  readonly alarmEmail?: string;
  /** HTTPS webhook subscribed to the alarm topics. @default - no webhook subscription */
  readonly webhookUrl?: string;
  /** Use KMS multi-Region keys (primary in A, replica in B). @default true */
  readonly useMultiRegionKms: boolean;
  /** Replicate S3 delete markers A→B. @default false (keeps "undelete" possible in B) */
  readonly s3ReplicateDeletes: boolean;
  /** Recovery time objective, minutes (alarm threshold and report target). @default 30 */
  readonly rtoTargetMinutes: number;
  /** Recovery point objective, seconds (replica-lag alarm threshold). @default 300 */
  readonly rpoTargetSeconds: number;
  /** Add an end-to-end canary (Route 53 health check on the public name) with an alarm. @default false */
  readonly canaryEnabled: boolean;
  /** Also make the DynamoDB table a global table replicated to B. @default false */
  readonly dynamoGlobalTable: boolean;
  /** Automated backup retention in days (7–35). @default 35 */
  readonly backupRetentionDays: number;
  /** Daily backup window (UTC, hh:mm-hh:mm). @default '03:00-04:00' */
  readonly preferredBackupWindow: string;
  /** Object Lock default retention for the compliance bucket, days (7–30). @default 7 */
  readonly objectLockDays: number;
  /** Public hosted zone name. @default 'example.com' */
  readonly zoneName: string;
  /** Public hosted zone id (no lookup at synth). @default 'Z0000000000DRKITEXAMPLE' (placeholder) */
  readonly hostedZoneId: string;
  /** Record name of the service inside the zone. @default 'app' */
  readonly recordName: string;
  /** Container image serving /healthz and /dbcheck on port 8080. @default 'public.ecr.aws/drkit/sample-app:latest' (placeholder) */
  readonly appImage: string;
  /** Seconds between ECS stability polls in the failover state machine. @default 15 */
  readonly ecsPollSeconds: number;
  /** ECS stability polls before the failover gives up. @default 40 */
  readonly ecsMaxPolls: number;
}

/** Reads a context value: `tryGetContext` on a construct node or a plain map in tests. */
export type ContextSource = (key: string) => unknown;

const DEFAULTS = {
  account: '111111111111',
  regionA: 'ap-southeast-2',
  regionB: 'us-west-2',
  dbMode: 'rds-postgres',
  primaryTasks: 2,
  warmStandbyTasks: 1,
  useMultiRegionKms: true,
  s3ReplicateDeletes: false,
  rtoTargetMinutes: 30,
  rpoTargetSeconds: 300,
  canaryEnabled: false,
  dynamoGlobalTable: false,
  backupRetentionDays: 35,
  preferredBackupWindow: '03:00-04:00',
  objectLockDays: 7,
  zoneName: 'example.com',
  hostedZoneId: 'Z0000000000DRKITEXAMPLE',
  recordName: 'app',
  appImage: 'public.ecr.aws/drkit/sample-app:latest',
  ecsPollSeconds: 15,
  ecsMaxPolls: 40,
} as const;

/** Thrown when a context key holds an invalid value; the message names the key. */
export class ContextError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`Invalid context "${key}": ${detail}`);
    this.name = 'ContextError';
  }
}

function isUnset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function readString(get: ContextSource, key: string, fallback?: string): string | undefined {
  const v = get(key);
  if (isUnset(v)) return fallback;
  if (typeof v !== 'string')
    throw new ContextError(key, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function readInt(
  get: ContextSource,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = get(key);
  if (isUnset(v)) return fallback;
  // `--context k=3` arrives as the string "3"; cdk.json gives numbers.
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ContextError(
      key,
      `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

function readBool(get: ContextSource, key: string, fallback: boolean): boolean {
  const v = get(key);
  if (isUnset(v)) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ContextError(key, `expected true or false, got ${JSON.stringify(v)}`);
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** Validates every context key and applies the defaults. */
export function readDrContext(get: ContextSource): DrContext {
  const account = readString(get, 'account', DEFAULTS.account)!;
  if (!/^\d{12}$/.test(account))
    throw new ContextError('account', `expected 12 digits, got "${account}"`);
  const regionA = readString(get, 'regionA', DEFAULTS.regionA)!;
  const regionB = readString(get, 'regionB', DEFAULTS.regionB)!;
  for (const [key, r] of [
    ['regionA', regionA],
    ['regionB', regionB],
  ] as const) {
    if (!REGION.test(r)) throw new ContextError(key, `"${r}" is not an AWS region name`);
  }
  if (regionA === regionB) throw new ContextError('regionB', 'must differ from regionA');

  const dbMode = readString(get, 'dbMode', DEFAULTS.dbMode)!;
  if (dbMode !== 'rds-postgres' && dbMode !== 'aurora-global') {
    throw new ContextError('dbMode', `expected "rds-postgres" or "aurora-global", got "${dbMode}"`);
  }
  const alarmEmail = readString(get, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new ContextError('alarmEmail', `"${alarmEmail}" is not an email address`);
  }
  const webhookUrl = readString(get, 'webhookUrl');
  if (webhookUrl !== undefined && !/^https:\/\/[^\s/]+/.test(webhookUrl)) {
    throw new ContextError('webhookUrl', `expected an https:// URL, got "${webhookUrl}"`);
  }
  const preferredBackupWindow = readString(
    get,
    'preferredBackupWindow',
    DEFAULTS.preferredBackupWindow,
  )!;
  if (!WINDOW.test(preferredBackupWindow)) {
    throw new ContextError(
      'preferredBackupWindow',
      `expected hh:mm-hh:mm (UTC), got "${preferredBackupWindow}"`,
    );
  }
  const zoneName = readString(get, 'zoneName', DEFAULTS.zoneName)!.replace(/\.$/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(zoneName))
    throw new ContextError('zoneName', `"${zoneName}" is not a domain`);
  const hostedZoneId = readString(get, 'hostedZoneId', DEFAULTS.hostedZoneId)!;
  if (!/^Z[A-Z0-9]{1,31}$/.test(hostedZoneId))
    throw new ContextError('hostedZoneId', `"${hostedZoneId}" is not a hosted zone id`);
  const recordName = readString(get, 'recordName', DEFAULTS.recordName)!;
  if (!/^[a-z0-9-]+$/i.test(recordName))
    throw new ContextError('recordName', `"${recordName}" is not a DNS label`);

  const primaryTasks = readInt(get, 'primaryTasks', DEFAULTS.primaryTasks, 1, 50);
  const warmStandbyTasks = readInt(get, 'warmStandbyTasks', DEFAULTS.warmStandbyTasks, 1, 50);
  if (warmStandbyTasks > primaryTasks) {
    throw new ContextError('warmStandbyTasks', `must not exceed primaryTasks (${primaryTasks})`);
  }
  const ctx: DrContext = {
    account,
    regionA,
    regionB,
    dbMode,
    primaryTasks,
    warmStandbyTasks,
    useMultiRegionKms: readBool(get, 'useMultiRegionKms', DEFAULTS.useMultiRegionKms),
    s3ReplicateDeletes: readBool(get, 's3ReplicateDeletes', DEFAULTS.s3ReplicateDeletes),
    rtoTargetMinutes: readInt(get, 'rtoTargetMinutes', DEFAULTS.rtoTargetMinutes, 1, 24 * 60),
    rpoTargetSeconds: readInt(get, 'rpoTargetSeconds', DEFAULTS.rpoTargetSeconds, 1, 24 * 3600),
    canaryEnabled: readBool(get, 'canaryEnabled', DEFAULTS.canaryEnabled),
    dynamoGlobalTable: readBool(get, 'dynamoGlobalTable', DEFAULTS.dynamoGlobalTable),
    backupRetentionDays: readInt(get, 'backupRetentionDays', DEFAULTS.backupRetentionDays, 7, 35),
    preferredBackupWindow,
    objectLockDays: readInt(get, 'objectLockDays', DEFAULTS.objectLockDays, 7, 30),
    zoneName,
    hostedZoneId,
    recordName,
    appImage: readString(get, 'appImage', DEFAULTS.appImage)!,
    ecsPollSeconds: readInt(get, 'ecsPollSeconds', DEFAULTS.ecsPollSeconds, 1, 300),
    ecsMaxPolls: readInt(get, 'ecsMaxPolls', DEFAULTS.ecsMaxPolls, 1, 1000),
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
  };
  return ctx;
}

/** The context keys the app reads (for docs and for rejecting typos). */
export const CONTEXT_KEYS = [...Object.keys(DEFAULTS), 'alarmEmail', 'webhookUrl'] as const;
