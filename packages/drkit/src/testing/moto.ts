import { crc32 } from 'node:zlib';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateHealthCheckCommand } from '@aws-sdk/client-route-53';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../adapters/aws/clients.js';
import { MOTO_CREDENTIALS, startMotoServer, type MotoServer } from '../lab/moto-server.js';

/**
 * Tests against the moto server: one way to start it with SDK clients bound to it, the AWS
 * resources several tests stand up (an IAM role, a Lambda zip, a Route 53 health check, an ECS
 * service), raw state dumps to prove a dry run changed nothing, and a request recorder for the
 * APIs moto lacks. For tests only: production code never imports `testing/`.
 */

/** Every raw ListObjectVersions page of a bucket, concatenated (for before/after equality). */
export async function dumpVersions(s3: S3Client, bucket: string): Promise<unknown[]> {
  const all: unknown[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const out = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
    );
    all.push({ Versions: out.Versions ?? [], DeleteMarkers: out.DeleteMarkers ?? [] });
    if (!out.IsTruncated) return all;
    KeyMarker = out.NextKeyMarker;
    VersionIdMarker = out.NextVersionIdMarker;
  }
}

/**
 * Creates an IAM role Lambda can assume in the moto server at `endpoint` (CreateFunction needs
 * one) and returns its ARN. No IAM client is a dependency: the Query API by hand.
 */
export async function createRole(endpoint: string, name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    }),
  });
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body,
  });
  const text = await r.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new Error(`CreateRole failed: ${text.slice(0, 300)}`);
  return arn;
}

/** A one-file zip (stored, not deflated): enough for moto's CreateFunction. */
export function zipOf(name: string, content: string): Uint8Array {
  const data = Buffer.from(content);
  const fname = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + fname.length, 12);
  end.writeUInt32LE(30 + fname.length + data.length, 16);
  return Buffer.concat([local, fname, data, central, fname, end]);
}

/** Options of {@link startMotoClients}. */
export interface MotoClientsOptions {
  /** The clients' region when a call names none. @default 'us-east-1' */
  readonly region?: string;
  /**
   * SDK attempts per call. Tests that reach APIs moto lacks pass 1: moto answers those with
   * HTTP 500, which the SDK would otherwise retry.
   * @default AwsClients' default (5)
   */
  readonly maxAttempts?: number;
}

/** A moto server started for one test file and SDK clients bound to it. */
export interface MotoClients {
  readonly moto: MotoServer;
  readonly clients: AwsClients;
}

/** Starts a moto server for one test file, with SDK clients bound to it (fake credentials). */
export async function startMotoClients(opts: MotoClientsOptions = {}): Promise<MotoClients> {
  const moto = await startMotoServer();
  return {
    moto,
    clients: new AwsClients({
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
      defaultRegion: opts.region ?? 'us-east-1',
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    }),
  };
}

/** Stops what {@link startMotoClients} started (safe when it never started). */
export async function stopMotoClients(env: Partial<MotoClients>): Promise<void> {
  env.clients?.destroy();
  await env.moto?.stop();
}

/** One request an SDK client sent: the command, its typed input and the serialized body. */
export interface CapturedRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
  /** As sent on the wire (awsQuery form for RDS, JSON for Secrets Manager…). */
  readonly body: string;
}

/**
 * Records every request `client` sends, as serialized by the SDK: where moto lacks an API,
 * tests check the request against the SDK's own model instead.
 */
export function captureRequests(client: {
  middlewareStack: { add: (...a: never[]) => unknown };
}): CapturedRequest[] {
  const seen: CapturedRequest[] = [];
  const stack = client.middlewareStack as unknown as {
    add(
      mw: (
        next: (a: unknown) => Promise<unknown>,
        ctx: { commandName?: string },
      ) => (a: { input: unknown; request: unknown }) => Promise<unknown>,
      o: { step: string; name: string },
    ): void;
  };
  stack.add(
    (next, ctx) => async (args) => {
      const body = (args.request as { body?: unknown }).body;
      const text =
        typeof body === 'string'
          ? body
          : body instanceof Uint8Array
            ? new TextDecoder().decode(body)
            : '';
      seen.push({
        command: String(ctx.commandName),
        input: args.input as Record<string, unknown>,
        body: text,
      });
      return await next(args);
    },
    { step: 'finalizeRequest', name: `drkitCapture${Math.random().toString(36).slice(2)}` },
  );
  return seen;
}

/** A Route 53 HTTPS health check of `ip` (moto always reports it healthy); returns its id. */
export async function createTestHealthCheck(clients: AwsClients, ip: string): Promise<string> {
  const out = await clients.route53().send(
    new CreateHealthCheckCommand({
      CallerReference: `hc-${ip}`,
      HealthCheckConfig: {
        IPAddress: ip,
        Port: 443,
        Type: 'HTTPS',
        ResourcePath: '/healthz',
        RequestInterval: 10,
        FailureThreshold: 3,
      },
    }),
  );
  return out.HealthCheck!.Id!;
}

/** An ECS cluster `cluster` in `region` running service `web` at `desiredCount` (moto runs no tasks). */
export async function createTestEcsService(
  clients: AwsClients,
  region: string,
  cluster: string,
  desiredCount: number,
): Promise<void> {
  const ecs = clients.ecs(region);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: 'web:latest', memory: 512, portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({ cluster, serviceName: 'web', taskDefinition: 'web', desiredCount }),
  );
}
