import {
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
} from '../../engine/errors.js';

/** What was being attempted, so the translated message names it. */
export interface AwsCallContext {
  /** e.g. `s3:CopyObject`, `rds:RestoreDBClusterToPointInTime`. */
  readonly action: string;
  /** The thing acted on, e.g. `s3://bucket/key` or a cluster id. */
  readonly resource?: string;
}

/** The fields of an SDK v3 service exception drkit reads (all optional: any error may come). */
interface SdkErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: unknown;
  /** Node's socket error code (`ECONNREFUSED`…) when no answer came at all. */
  code?: string;
}

/**
 * The endpoint did not answer (refused, reset, timed out, unreachable): a regional outage or a
 * restarting endpoint, which a later attempt may get through.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

const NOT_FOUND_NAMES = new Set([
  'NoSuchKey',
  'NoSuchBucket',
  'NoSuchVersion',
  'NotFound',
  'NoSuchEntity',
  'EntityNotFound',
  'ResourceNotFound',
  'ResourceNotFoundException',
  'NoSuchHostedZone',
  'NoSuchHealthCheck',
  'NoSuchDistribution',
  'NoSuchInvalidation',
  'NoSuchChange',
  'TableNotFoundException',
  'UserNotFoundException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
]);

const ACCESS_DENIED_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorizedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'AuthorizationError',
]);

const THROTTLED_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'LimitExceededException', // DynamoDB: too many concurrent control-plane operations
  'TooManyInvalidationsInProgress',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);

const OUT_OF_WINDOW_NAMES = new Set(['InvalidRestoreTimeException', 'InvalidRestoreTime']);

const CONFLICT_SUFFIXES = ['AlreadyExistsFault', 'AlreadyExistsException', 'AlreadyExists'];
const CONFLICT_NAMES = new Set([
  'ResourceInUseException',
  'BucketAlreadyOwnedByYou',
  'ResourceExistsException',
]);
const STATE_SUFFIXES = ['StateFault', 'StateException'];

/** True when `err` looks like an AWS SDK service exception (has `$metadata`). */
export function isAwsError(err: unknown): err is Error & SdkErrorShape {
  return typeof err === 'object' && err !== null && '$metadata' in err;
}

/** The AWS error code of an SDK error (`name`, or `Code` for some XML services). */
export function awsErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as SdkErrorShape;
  return e.name && e.name !== 'Error' ? e.name : e.Code;
}

/**
 * Translates an AWS SDK v3 error into the drkit catalogue. Not-found errors become
 * `NotFoundError`, access errors `DrError('ACCESS_DENIED')`, throttling (still failing after
 * the SDK's own retries) a retryable `DrError('THROTTLED')`, restore times outside the window
 * `OutOfWindowError`, "already exists" and "wrong state" errors `PreconditionError`; anything
 * else an `EXTERNAL` error (retryable when the SDK says so, the service returned 5xx, or the
 * endpoint did not answer at all).
 * A `DrError` passes through unchanged.
 */
export function translateAwsError(err: unknown, ctx: AwsCallContext): DrError {
  if (err instanceof DrError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = awsErrorName(err) ?? 'UnknownError';
  const status = e.$metadata?.httpStatusCode;
  const what = ctx.resource ? `${ctx.action} on ${ctx.resource}` : ctx.action;
  const msg = e.message && e.message !== name ? `: ${e.message}` : '';
  const details = {
    awsError: name,
    httpStatus: status,
    requestId: e.$metadata?.requestId,
    action: ctx.action,
    resource: ctx.resource,
  };
  const base = { cause: err, details };

  if (
    OUT_OF_WINDOW_NAMES.has(name) ||
    (name === 'InvalidRestoreFault' && /time/i.test(e.message ?? ''))
  ) {
    return new OutOfWindowError(
      `${what}: the restore time is outside the recoverable window${msg}`,
      {
        ...base,
        hint: 'pick a time between the earliest and latest restorable times (`drkit db window`), or use "latest"',
      },
    );
  }
  // S3 answers 403 for an archived version: check before the generic access-denied rule.
  if (name === 'InvalidObjectState') {
    return new PreconditionError(`${what}: the object version is archived (${name})${msg}`, {
      ...base,
      hint: 'restore the version from Glacier / Deep Archive first (s3:RestoreObject), then run the step again',
    });
  }
  if (THROTTLED_NAMES.has(name) || status === 429) {
    return new DrError('THROTTLED', `${what} was throttled by AWS (${name})${msg}`, {
      ...base,
      retryable: true,
      hint: 'the SDK already retried with backoff; the step is retried by the engine, or lower the concurrency',
    });
  }
  if (ACCESS_DENIED_NAMES.has(name) || status === 403) {
    return new DrError('ACCESS_DENIED', `${what} was denied (${name})${msg}`, {
      ...base,
      hint: 'check the IAM policy of the credentials in use (AWS_PROFILE / role) for this action and resource; an S3 Object Lock also denies deletes',
    });
  }
  if (
    NOT_FOUND_NAMES.has(name) ||
    name.endsWith('NotFoundFault') ||
    name.endsWith('NotFoundException') ||
    name.endsWith('NotFound') ||
    status === 404
  ) {
    return new NotFoundError(`${what}: not found (${name})${msg}`, {
      ...base,
      hint: 'check the name and the region',
    });
  }
  if (CONFLICT_NAMES.has(name) || CONFLICT_SUFFIXES.some((s) => name.endsWith(s))) {
    return new PreconditionError(`${what}: already exists (${name})${msg}`, {
      ...base,
      hint: 'choose a new identifier; drkit never overwrites an existing resource during a restore',
    });
  }
  if (STATE_SUFFIXES.some((s) => name.endsWith(s)) && name.startsWith('Invalid')) {
    return new PreconditionError(
      `${what}: the resource is not in a state that allows this (${name})${msg}`,
      {
        ...base,
        hint: 'wait until it is available, then run the step again',
      },
    );
  }
  const retryable =
    e.$retryable !== undefined ||
    (status !== undefined && status >= 500) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code));
  return new DrError(
    'EXTERNAL',
    `${what} failed (${name}${status ? `, HTTP ${status}` : ''})${msg}`,
    { ...base, retryable },
  );
}

/** Runs `fn` and rethrows any failure as a translated `DrError`. */
export async function awsCall<T>(ctx: AwsCallContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateAwsError(err, ctx);
  }
}
