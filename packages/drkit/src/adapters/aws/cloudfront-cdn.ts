import {
  CreateInvalidationCommand,
  waitUntilInvalidationCompleted,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { UsageError } from '../../engine/errors.js';
import type { Cdn, CdnCapability, InvalidateOptions, InvalidationResult } from '../../ports/cdn.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** CloudFront accepts at most 3000 file paths in progress per distribution. */
const DEFAULT_BATCH = 1000;

/** The CDN port on Amazon CloudFront. */
export class CloudFrontCdn implements Cdn {
  readonly kind = 'aws-cloudfront';
  readonly capabilities: ReadonlySet<CdnCapability> = new Set<CdnCapability>([
    'invalidation',
    'wildcard-invalidation',
    'wait-for-invalidation',
  ]);
  private readonly cf: CloudFrontClient;

  constructor(opts: { readonly clients: AwsClients }) {
    this.cf = opts.clients.cloudfront();
  }

  async invalidate(
    distributionId: string,
    paths: ReadonlyArray<string>,
    opts: InvalidateOptions = {},
  ): Promise<InvalidationResult> {
    const batches = this.batches(paths, opts);
    const ids: string[] = [];
    const statuses: string[] = [];
    for (const b of batches) {
      const out = await awsCall(
        { action: 'cloudfront:CreateInvalidation', resource: distributionId },
        () =>
          this.cf.send(
            new CreateInvalidationCommand({
              DistributionId: distributionId,
              InvalidationBatch: {
                CallerReference: b.reference,
                Paths: { Quantity: b.paths.length, Items: b.paths },
              },
            }),
          ),
      );
      ids.push(out.Invalidation?.Id ?? '');
      statuses.push(out.Invalidation?.Status ?? 'InProgress');
    }
    if (opts.wait) {
      for (const [i, id] of ids.entries()) {
        if (statuses[i] === 'Completed') continue;
        await awsCall(
          { action: 'cloudfront:GetInvalidation', resource: `${distributionId}/${id}` },
          () =>
            waitUntilInvalidationCompleted(
              { client: this.cf, maxWaitTime: opts.maxWaitSeconds ?? 900 },
              { DistributionId: distributionId, Id: id },
            ),
        );
        statuses[i] = 'Completed';
      }
    }
    return { distributionId, invalidationIds: ids, paths: paths.length, statuses };
  }

  describeInvalidation(
    distributionId: string,
    paths: ReadonlyArray<string>,
    opts: InvalidateOptions = {},
  ): string[] {
    return this.batches(paths, opts).map(
      (b) =>
        `cloudfront:CreateInvalidation DistributionId=${distributionId} CallerReference=${b.reference} Paths.Quantity=${b.paths.length} Paths.Items=${JSON.stringify(b.paths.length > 5 ? [...b.paths.slice(0, 5), `…${b.paths.length - 5} more`] : b.paths)}`,
    );
  }

  private batches(
    paths: ReadonlyArray<string>,
    opts: InvalidateOptions,
  ): Array<{ reference: string; paths: string[] }> {
    for (const p of paths) {
      if (!p.startsWith('/'))
        throw new UsageError(`CloudFront invalidation path must start with "/": ${p}`);
    }
    const size = opts.batchSize ?? DEFAULT_BATCH;
    const ref = opts.reference ?? `drkit-${Date.now()}`;
    const unique = [...new Set(paths)];
    const out: Array<{ reference: string; paths: string[] }> = [];
    for (let i = 0; i < unique.length; i += size)
      out.push({ reference: `${ref}-${i / size}`, paths: unique.slice(i, i + size) });
    return out;
  }
}
