import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { AwsClients } from '../../adapters/aws/clients.js';
import { isAwsError } from '../../adapters/aws/errors.js';
import { dynamoDbPosture } from '../../adapters/aws/posture/dynamodb-posture.js';
import { rdsPosture } from '../../adapters/aws/posture/rds-posture.js';
import { route53Posture } from '../../adapters/aws/posture/route53-posture.js';
import {
  s3BucketsPosture,
  type S3BucketsPostureOptions,
} from '../../adapters/aws/posture/s3-posture.js';
import { secretPosture } from '../../adapters/aws/posture/secrets-posture.js';
import type { DrkitConfig } from '../../config/schema.js';
import { DrError } from '../../engine/errors.js';
import type { PostureCheck, PosturePolicy } from '../../ports/posture.js';

/** Options of {@link verifyAws}. */
export interface VerifyAwsOptions {
  /** Progress lines. @default none */
  readonly progress?: (line: string) => void;
  /** SDK attempts per call. @default 3 (a posture check should not wait minutes on a dead endpoint) */
  readonly maxAttempts?: number;
}

/**
 * Fails fast, with one clear error, when region `region`'s endpoint does not answer at all (a
 * wrong `aws.endpoint`, no network, no credentials) rather than failing every check with it.
 * An answer of any kind (even access denied) means the endpoint is there: the checks then say
 * what they could read.
 */
async function reachable(clients: AwsClients, region: string, endpoint: string | undefined) {
  try {
    await clients.s3(region).send(new ListBucketsCommand({}));
  } catch (err) {
    if (isAwsError(err) && (err.$metadata?.httpStatusCode ?? 0) > 0) return;
    const e = err as Error & { code?: string };
    if (e.name === 'CredentialsProviderError')
      throw new DrError('ACCESS_DENIED', `no AWS credentials to verify with: ${e.message}`, {
        cause: err,
        hint: 'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, SSO, an instance role); against moto any fake keys do',
      });
    throw new DrError(
      'EXTERNAL',
      `AWS is unreachable in ${region} (${endpoint ?? 'the public AWS endpoints'}): ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`,
      {
        cause: err,
        hint: endpoint
          ? `nothing answers at aws.endpoint ${endpoint}: start it (moto) or fix the URL`
          : 'check the network and the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…); drkit verify only reads',
      },
    );
  }
}

/** The `aws.s3` section as {@link s3BucketsPosture} reads it (buckets read through region A). */
export function s3PostureOptions(
  config: DrkitConfig,
  progress?: (line: string) => void,
): S3BucketsPostureOptions {
  const s3 = config.aws.s3;
  return {
    buckets: s3.buckets,
    objectLockBuckets: s3.objectLockBuckets,
    objectLockMinDays: s3.objectLockMinDays,
    region: config.aws.regionA,
    regionB: config.aws.regionB,
    ...(s3.breakGlassRoleArn ? { breakGlassRoleArn: s3.breakGlassRoleArn } : {}),
    ...(progress ? { progress } : {}),
  };
}

/**
 * `drkit verify --provider aws`: the RDS/Aurora, S3, DynamoDB, Route 53 and Secrets Manager
 * posture of the deployment the `aws` config section names, in the lab's result shape. What the
 * config does not name is one warn saying which key to set, never a pass.
 * @throws DrError EXTERNAL when region A's endpoint does not answer at all, ACCESS_DENIED
 *   when no credentials are found
 */
export async function verifyAws(
  config: DrkitConfig,
  policy: PosturePolicy,
  opts: VerifyAwsOptions = {},
): Promise<PostureCheck[]> {
  const a = config.aws;
  const progress = opts.progress ?? (() => undefined);
  const clients = new AwsClients({
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
    defaultRegion: a.regionA,
    maxAttempts: opts.maxAttempts ?? 3,
  });
  const [A, B] = [a.regionA, a.regionB];
  const out: PostureCheck[] = [];
  const unset = (id: string, subject: string, key: string) =>
    out.push({
      id,
      subject,
      status: 'warn',
      value: 'not configured',
      reason: `not checked: set ${key}`,
    });
  try {
    await reachable(clients, A, a.endpoint);

    const ra = a.regions.a;
    const rb = a.regions.b;
    const dbA = ra.dbCluster ?? ra.dbInstance;
    if (!dbA) unset('rds', 'database', 'aws.regions.a.dbCluster (or dbInstance)');
    else {
      progress(
        `verifying ${dbA} in ${A}: retention, restorable time, deletion protection, snapshot in ${B}, replica…`,
      );
      const dbB = ra.dbCluster ? rb.dbCluster : rb.dbInstance;
      const l = await rdsPosture(
        clients,
        {
          regionA: A,
          regionB: B,
          mode: ra.dbCluster ? 'cluster' : 'instance',
          a: dbA,
          ...(dbB ? { b: dbB } : {}),
          ...(a.globalClusterId && ra.dbCluster ? { globalClusterId: a.globalClusterId } : {}),
        },
        policy,
      );
      out.push(...l.checks);
      if (!dbB)
        unset(
          'rds.replica',
          `database in ${B}`,
          `aws.regions.b.${ra.dbCluster ? 'dbCluster' : 'dbInstance'}`,
        );
    }

    const buckets = [...a.s3.buckets, ...a.s3.objectLockBuckets];
    if (buckets.length === 0) unset('s3', 'buckets', 'aws.s3.buckets');
    out.push(...(await s3BucketsPosture(clients, s3PostureOptions(config, progress))));

    if (a.dynamodb.tables.length === 0) unset('dynamodb', 'global tables', 'aws.dynamodb.tables');
    for (const table of a.dynamodb.tables) {
      progress(`verifying DynamoDB table ${table}: PITR in ${A} and ${B}, replica in ${B}…`);
      out.push(...(await dynamoDbPosture(clients, table, A, B)).checks);
    }

    if (!a.route53) unset('route53', 'failover record', 'aws.route53 (hostedZoneId, recordName)');
    else {
      progress(`verifying the failover record ${a.route53.recordName}…`);
      out.push(...(await route53Posture(clients, a.route53)).checks);
    }

    const secrets = a.replicatedSecrets ?? [a.dbEndpointSecret, a.dbCredentialsSecret];
    if (secrets.length === 0) unset('secrets', 'secrets', 'aws.replicatedSecrets');
    for (const name of secrets) out.push(...(await secretPosture(clients, name, A, B)).checks);
    return out;
  } finally {
    clients.destroy();
  }
}
