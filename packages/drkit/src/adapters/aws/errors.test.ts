import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
} from '../../engine/errors.js';
import { AwsClients } from './clients.js';
import { awsCall, translateAwsError } from './errors.js';

/** An SDK-shaped service exception (what `@aws-sdk/client-*` throws). */
function sdkError(name: string, httpStatusCode: number, message = 'boom'): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode, requestId: 'req-1' },
  });
}

const ctx = { action: 's3:GetObject', resource: 's3://b/k' };

describe('translateAwsError', () => {
  it.each([
    ['NoSuchKey', 404],
    ['NoSuchBucket', 404],
    ['NotFound', 404],
    ['DBClusterNotFoundFault', 404],
    ['DBClusterSnapshotNotFoundFault', 404],
    ['ResourceNotFoundException', 400],
    ['NoSuchHostedZone', 404],
    ['Whatever', 404],
  ])('GIVEN %s (HTTP %i) THEN NotFoundError', (name, status) => {
    const e = translateAwsError(sdkError(name, status), ctx);
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toContain('s3:GetObject on s3://b/k');
    expect(e.details?.awsError).toBe(name);
  });

  it.each([
    ['AccessDenied'],
    ['AccessDeniedException'],
    ['ExpiredToken'],
    ['UnrecognizedClientException'],
  ])('GIVEN %s THEN ACCESS_DENIED with an IAM hint', (name) => {
    const e = translateAwsError(sdkError(name, 403), ctx);
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.retryable).toBe(false);
    expect(e.hint).toMatch(/IAM/);
  });

  it.each([
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['SlowDown', 503],
    ['ProvisionedThroughputExceededException', 400],
    ['Anything', 429],
  ])('GIVEN %s (HTTP %i) THEN THROTTLED and retryable', (name, status) => {
    const e = translateAwsError(sdkError(name, status), ctx);
    expect(e.code).toBe('THROTTLED');
    expect(e.retryable).toBe(true);
  });

  it('GIVEN DynamoDB InvalidRestoreTimeException THEN OutOfWindowError', () => {
    const e = translateAwsError(sdkError('InvalidRestoreTimeException', 400), {
      action: 'dynamodb:RestoreTableToPointInTime',
    });
    expect(e).toBeInstanceOf(OutOfWindowError);
    expect(e.message).toContain('outside the recoverable window');
  });

  it('GIVEN RDS InvalidRestoreFault about the time THEN OutOfWindowError', () => {
    const e = translateAwsError(
      sdkError('InvalidRestoreFault', 400, 'Restore time is out of range'),
      { action: 'rds:Restore' },
    );
    expect(e).toBeInstanceOf(OutOfWindowError);
  });

  it('GIVEN an AlreadyExists fault or a wrong-state fault THEN PreconditionError', () => {
    expect(translateAwsError(sdkError('DBClusterAlreadyExistsFault', 400), ctx)).toBeInstanceOf(
      PreconditionError,
    );
    expect(translateAwsError(sdkError('TableAlreadyExistsException', 400), ctx)).toBeInstanceOf(
      PreconditionError,
    );
    expect(translateAwsError(sdkError('InvalidDBClusterStateFault', 400), ctx)).toBeInstanceOf(
      PreconditionError,
    );
    expect(translateAwsError(sdkError('InvalidObjectState', 403), ctx).hint).toMatch(/Glacier/);
  });

  it('GIVEN an unknown 5xx THEN retryable EXTERNAL; an unknown 4xx THEN not retryable', () => {
    const a = translateAwsError(sdkError('InternalError', 500), ctx);
    expect(a.code).toBe('EXTERNAL');
    expect(a.retryable).toBe(true);
    const b = translateAwsError(sdkError('InvalidParameterValue', 400), ctx);
    expect(b.code).toBe('EXTERNAL');
    expect(b.retryable).toBe(false);
  });

  it('GIVEN a DrError THEN it passes through; GIVEN a plain Error THEN EXTERNAL with the cause', () => {
    const d = new NotFoundError('x');
    expect(translateAwsError(d, ctx)).toBe(d);
    const p = translateAwsError(new TypeError('bad'), ctx);
    expect(p).toBeInstanceOf(DrError);
    expect(p.cause).toBeInstanceOf(TypeError);
  });
});

describe('translateAwsError of an endpoint that does not answer', () => {
  it('GIVEN nothing listens on the endpoint WHEN a call THEN a retryable EXTERNAL DrError', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const clients = new AwsClients({
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const err = await awsCall(ctx, () =>
      clients.s3().send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrError);
    expect((err as DrError).code).toBe('EXTERNAL');
    expect((err as DrError).retryable).toBe(true);
    clients.destroy();
  });
});

describe('AwsClients retry strategy (throttling retried with backoff by the SDK)', () => {
  let server: http.Server | undefined;
  afterEach(() => server?.close());

  /** A local HTTP server that answers S3 SlowDown `failures` times, then 200 "ok". */
  async function slowDownServer(
    failures: number,
  ): Promise<{ endpoint: string; hits: () => number }> {
    let hits = 0;
    server = http.createServer((_req, res) => {
      hits++;
      if (hits <= failures) {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { endpoint: `http://127.0.0.1:${port}`, hits: () => hits };
  }

  it('GIVEN two SlowDown answers WHEN GetObject THEN the SDK retries and succeeds on the third attempt', async () => {
    const srv = await slowDownServer(2);
    const clients = new AwsClients({
      endpoint: srv.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      retryBaseDelayMs: 5,
    });
    const out = await clients.s3('us-east-1').send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    expect(await out.Body?.transformToString()).toBe('ok');
    expect(srv.hits()).toBe(3);
    clients.destroy();
  });

  it('GIVEN SlowDown on every attempt WHEN GetObject THEN a retryable THROTTLED DrError after maxAttempts', async () => {
    const srv = await slowDownServer(1000);
    const clients = new AwsClients({
      endpoint: srv.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 3,
      retryBaseDelayMs: 5,
    });
    const err = await awsCall(ctx, () =>
      clients.s3().send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrError);
    expect((err as DrError).code).toBe('THROTTLED');
    expect((err as DrError).retryable).toBe(true);
    expect(srv.hits()).toBe(3);
    clients.destroy();
  });
});
