import { CreateDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PreconditionError } from '../engine/errors.js';

/**
 * The S3 drill's world: the versioned bucket it seeds (or checks, when the user names one) and
 * the CloudFront distribution in front of it that RB-N-03 invalidates.
 */

/**
 * Creates a minimal CloudFront distribution in front of `bucket` (when the config names none);
 * returns its id.
 */
export async function createDistribution(cf: CloudFrontClient, bucket: string): Promise<string> {
  const out = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `drkit-${bucket}-${Date.now()}`,
        Comment: 'drkit drill',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 's3',
              DomainName: `${bucket}.s3.amazonaws.com`,
              S3OriginConfig: { OriginAccessIdentity: '' },
            },
          ],
        },
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

/** Creates `bucket` in `region` with versioning enabled (RB-N-03 restores object versions). */
export async function createVersionedBucket(
  s3: S3Client,
  bucket: string,
  region: string,
): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : {
            CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
          }),
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
}

/** A bucket the user named must be versioned (RB-N-03 restores versions) and its prefix empty (the drill deletes in it). */
export async function checkBucket(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const v = await s3
    .send(new GetBucketVersioningCommand({ Bucket: bucket }))
    .catch((err: unknown) => {
      throw new PreconditionError(
        `s3://${bucket}: cannot read its versioning (${(err as Error).name}: ${(err as Error).message})`,
        {
          hint: 'name an existing bucket, or leave --bucket out and the drill creates one',
          cause: err,
        },
      );
    });
  if (v.Status !== 'Enabled') {
    throw new PreconditionError(
      `s3://${bucket} has versioning ${v.Status ?? 'never enabled'}: RB-N-03 restores object versions, so the drill needs a versioned bucket`,
      {
        hint: `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled, or leave --bucket out`,
      },
    );
  }
  const l = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
  if ((l.KeyCount ?? 0) > 0)
    throw new PreconditionError(
      `s3://${bucket}/${prefix} is not empty: the drill deletes and overwrites objects there`,
      { hint: 'give an empty --prefix' },
    );
}
