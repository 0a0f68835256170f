import { describe, expect, it } from 'vitest';
import { CapabilityError, UsageError } from '../engine/errors.js';
import type { RegionDeps } from './region-failover/context.js';
import { findRunbook, RUNBOOKS } from './registry.js';

describe('runbook registry', () => {
  it('GIVEN rb-n-03 or its alias WHEN looked up THEN the S3 restore entry', () => {
    expect(findRunbook('s3-restore').id).toBe('rb-n-03');
    expect(RUNBOOKS.map((r) => r.id)).toEqual([
      'rb-n-02',
      'rb-n-03',
      'rb-n-01',
      'switchover',
      'rb-n-08',
      'security-breach',
      'security-breach-restore-access',
      'rb-n-05',
    ]);
    expect(findRunbook('region-failover').id).toBe('rb-n-01');
  });

  it('GIVEN rb-n-03 params WHEN normalized THEN the config distribution fills a missing distributionId, an explicit one wins', () => {
    const e = findRunbook('rb-n-03');
    const raw = { bucket: 'media', prefix: 'img/', at: '2020-01-01T00:00:00Z' };
    expect(e.normalize(raw, { defaultDistributionId: 'E1' })).toMatchObject({
      bucket: 'media',
      distributionId: 'E1',
      concurrency: 16,
    });
    expect(
      e.normalize({ ...raw, distributionId: 'E2' }, { defaultDistributionId: 'E1' }),
    ).toMatchObject({ distributionId: 'E2' });
    expect(e.normalize(raw)).not.toHaveProperty('distributionId');
  });

  it('GIVEN bad rb-n-03 params WHEN normalized THEN UsageError before anything runs', () => {
    const e = findRunbook('rb-n-03');
    expect(() => e.normalize({ bucket: 'media' })).toThrow(
      /exactly one of at=<time> or manifest=<file>/,
    );
    expect(() => e.normalize({ bucket: 'media', at: '2020-01-01 10:00' })).toThrow(UsageError);
    expect(() => e.normalize({ bucket: 'media', at: '2999-01-01T00:00:00Z' })).toThrow(
      /in the future/,
    );
  });

  it('GIVEN rb-n-01 WHEN normalized THEN config defaults fill the params, --param strings override and coerce', async () => {
    const e = findRunbook('rb-n-01');
    const defaults = {
      fromRegion: 'us-east-1',
      toRegion: 'us-west-2',
      fromCluster: 'core-a',
      toCluster: 'core-b',
      targetTasks: 2,
      appConfigSecret: 'drkit/db-endpoint',
    };
    const regions = () => ({ deps: {} as RegionDeps, defaults });
    await expect(
      e.normalize({ force: 'true', targetTasks: '4' }, { regions }),
    ).resolves.toMatchObject({
      ...defaults,
      force: true,
      targetTasks: 4,
      synchronous: false,
      trigger: 'manual',
    });
    await expect(
      e.normalize(
        {},
        { regions: () => ({ deps: {} as RegionDeps, defaults: Promise.resolve(defaults) }) },
      ),
    ).resolves.toMatchObject({ ...defaults, force: false });
    await expect(e.normalize({ force: 'yes' }, { regions })).rejects.toThrow(UsageError);
    await expect(e.normalize({ bogus: '1' }, { regions })).rejects.toThrow(UsageError);
  });

  it("GIVEN switchover and rb-n-08 WHEN normalized THEN the provider's direction, their own reason, and the same checks as rb-n-01", async () => {
    const defaults = {
      fromRegion: 'us-west-2',
      toRegion: 'us-east-1',
      fromCluster: 'core-b',
      toCluster: 'core-a',
      targetTasks: 2,
      sourceTasks: 1,
      appConfigSecret: 's',
      reason: 'regional failover',
    };
    const regions = () => ({ deps: {} as RegionDeps, defaults: Promise.resolve(defaults) });
    expect(findRunbook('cutback').id).toBe('rb-n-08');
    expect(findRunbook('failback').id).toBe('rb-n-08');
    expect(findRunbook('planned-switchover').id).toBe('switchover');
    await expect(findRunbook('rb-n-08').normalize({}, { regions })).resolves.toMatchObject({
      ...defaults,
      reason: 'cutback after failover',
    });
    await expect(
      findRunbook('switchover').normalize({ reason: 'quarterly game day' }, { regions }),
    ).resolves.toMatchObject({ reason: 'quarterly game day' });
    await expect(
      findRunbook('switchover').normalize({ sourceTasks: '-1' }, { regions }),
    ).rejects.toThrow(UsageError);
    await expect(findRunbook('rb-n-08').normalize({}, { provider: 'aws' })).rejects.toThrow(
      CapabilityError,
    );
  });

  it('GIVEN a provider without region ports WHEN rb-n-01 is normalized THEN a capability error', async () => {
    await expect(findRunbook('rb-n-01').normalize({}, { provider: 'aws' })).rejects.toThrow(
      CapabilityError,
    );
    await expect(findRunbook('rb-n-01').normalize({}, { provider: 'aws' })).rejects.toThrow(
      /aws provider/,
    );
  });
});
