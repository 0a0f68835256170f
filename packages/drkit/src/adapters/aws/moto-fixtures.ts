import { CreateDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

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
