import { describe, expect, it } from 'vitest';
import { UsageError } from '../../engine/errors.js';
import { AwsClients } from './clients.js';
import { CloudFrontCdn } from './cloudfront-cdn.js';

const cdn = new CloudFrontCdn({
  clients: new AwsClients({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
});

describe('CloudFrontCdn.describeInvalidation', () => {
  it('GIVEN 2,500 paths (with duplicates) THEN batches of 1000 with stable caller references', () => {
    const paths = [...Array(2500).keys()].map((i) => `/img/${i}.jpg`).concat(['/img/0.jpg']);
    const lines = cdn.describeInvalidation('EABC123', paths, { reference: 'rb-n-03-x' });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('CallerReference=rb-n-03-x-0 Paths.Quantity=1000');
    expect(lines[2]).toContain('CallerReference=rb-n-03-x-2 Paths.Quantity=500');
  });

  it('GIVEN a path without a leading slash THEN UsageError', () => {
    expect(() => cdn.describeInvalidation('EABC123', ['img/a.jpg'])).toThrow(UsageError);
  });
});
