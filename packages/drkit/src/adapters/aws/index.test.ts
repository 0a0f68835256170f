import { describe, expect, it } from 'vitest';
import { createAwsAdapters } from './index.js';

describe('createAwsAdapters', () => {
  it('GIVEN two regions THEN per-region adapters bound to their region, optional ones only when configured', () => {
    const a = createAwsAdapters({
      primaryRegion: 'ap-southeast-2',
      secondaryRegion: 'us-west-2',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(a.database.primary.region).toBe('ap-southeast-2');
    expect(a.database.secondary.region).toBe('us-west-2');
    expect([a.objectStore.primary.kind, a.cdn.kind, a.secrets.primary.kind]).toEqual([
      'aws-s3',
      'aws-cloudfront',
      'aws-secrets-manager',
    ]);
    expect(a.database.primary.capabilities.has('pitr')).toBe(true);
    expect(a.notifier).toBeUndefined();
    expect(a.router).toBeUndefined();
    expect(a.compute).toBeUndefined();
    a.clients.destroy();
  });
});
