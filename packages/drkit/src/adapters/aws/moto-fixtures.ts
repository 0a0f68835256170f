import { CreateDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { MOTO_CREDENTIALS, startMotoServer, type MotoServer } from '../../lab/moto-server.js';
import { AwsClients } from './clients.js';

/**
 * Helpers for tests against the moto server (and the lab): fixtures that stand up the AWS
 * resources a runbook expects, and raw state dumps to prove a dry run changed nothing.
 */

/** Creates a minimal CloudFront distribution in front of a bucket; returns its id. */
export async function createTestDistribution(cf: CloudFrontClient, bucket: string): Promise<string> {
  const out = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `drkit-test-${bucket}-${Date.now()}`,
        Comment: 'drkit test',
        Enabled: true,
        Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${bucket}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'allow-all',
          MinTTL: 0,
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
        },
      },
    }),
  );
  return out.Distribution!.Id!;
}

/** Every raw ListObjectVersions page of a bucket, concatenated (for before/after equality). */
export async function dumpVersions(s3: S3Client, bucket: string): Promise<unknown[]> {
  const all: unknown[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }));
    all.push({ Versions: out.Versions ?? [], DeleteMarkers: out.DeleteMarkers ?? [] });
    if (!out.IsTruncated) return all;
    KeyMarker = out.NextKeyMarker;
    VersionIdMarker = out.NextVersionIdMarker;
  }
}

/** A moto server and SDK clients bound to it (us-east-1 by default), for one test file. */
export async function startMotoClients(): Promise<{ moto: MotoServer; clients: AwsClients }> {
  const moto = await startMotoServer();
  return { moto, clients: new AwsClients({ endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, defaultRegion: 'us-east-1' }) };
}

/** Stops what {@link startMotoClients} started (safe when it never started). */
export async function stopMotoClients(env: { moto?: MotoServer; clients?: AwsClients }): Promise<void> {
  env.clients?.destroy();
  await env.moto?.stop();
}
