import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { CapabilityError, UsageError } from '../engine/errors.js';
import type { RegionMove } from '../ports/region-topology.js';
import { makeProvider } from '../providers/provider.js';
import { cutbackRunbook } from './cutback/index.js';
import type { RegionPorts } from './region-failover/context.js';
import { regionFailover } from './region-failover/index.js';
import { findRunbook, RUNBOOKS } from './registry.js';
import { s3Restore } from './s3-restore/index.js';
import { switchoverRunbook } from './switchover/index.js';

const config = parseConfig({});
const journalDir = '/nonexistent';

/** What a region runbook's `normalize` sees: a topology whose move is `defaults`. */
const regionCtx = (move: () => Promise<RegionMove>) => ({
  ports: { regionTopology: { kind: 'test', move } } as unknown as RegionPorts,
  config,
  journalDir,
  provider: 'test',
});

/** A provider that binds no port at all. */
const bare = (provider: 'lab' | 'aws') => makeProvider({ provider, config, journalDir, ports: {} });

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
      'rb-n-04',
      'rb-n-06',
      'rb-n-07',
      'function-rollback',
      'full-recovery',
    ]);
    expect(findRunbook('lambda-rollback').id).toBe('function-rollback');
    expect(findRunbook('region-failover').id).toBe('rb-n-01');
    expect(findRunbook('search-reindex').id).toBe('rb-n-04');
    expect(findRunbook('email-failover').id).toBe('rb-n-07');
    expect(findRunbook('webhook-replay').id).toBe('rb-n-06');
  });

  it('GIVEN rb-n-03 params WHEN normalized THEN the config distribution fills a missing distributionId, an explicit one wins', async () => {
    const e = s3Restore;
    expect(findRunbook('rb-n-03')).toBe(e);
    const raw = { bucket: 'media', prefix: 'img/', at: '2020-01-01T00:00:00Z' };
    const ctx = (cdnDistributionId?: string) => ({
      ports: {} as Parameters<typeof e.create>[0],
      config: parseConfig(cdnDistributionId ? { aws: { cdnDistributionId } } : {}),
      journalDir,
      provider: 'test',
    });
    await expect(e.normalize(raw, ctx('E1'))).resolves.toMatchObject({
      bucket: 'media',
      distributionId: 'E1',
      concurrency: 16,
    });
    await expect(e.normalize({ ...raw, distributionId: 'E2' }, ctx('E1'))).resolves.toMatchObject({
      distributionId: 'E2',
    });
    await expect(e.normalize(raw, ctx())).resolves.not.toHaveProperty('distributionId');
  });

  it('GIVEN bad rb-n-03 params WHEN normalized THEN UsageError before anything runs', async () => {
    const e = s3Restore;
    const ctx = {
      ports: {} as Parameters<typeof e.create>[0],
      config,
      journalDir,
      provider: 'test',
    };
    await expect(e.normalize({ bucket: 'media' }, ctx)).rejects.toThrow(
      /exactly one of at=<time> or manifest=<file>/,
    );
    await expect(e.normalize({ bucket: 'media', at: '2020-01-01 10:00' }, ctx)).rejects.toThrow(
      UsageError,
    );
    await expect(e.normalize({ bucket: 'media', at: '2999-01-01T00:00:00Z' }, ctx)).rejects.toThrow(
      /in the future/,
    );
  });

  it('GIVEN rb-n-01 WHEN normalized THEN config defaults fill the params, --param strings override and coerce', async () => {
    const e = regionFailover;
    expect(findRunbook('rb-n-01')).toBe(e);
    const defaults = {
      fromRegion: 'us-east-1',
      toRegion: 'us-west-2',
      fromCluster: 'core-a',
      toCluster: 'core-b',
      targetTasks: 2,
      appConfigSecret: 'drkit/db-endpoint',
    } as RegionMove;
    const regions = regionCtx(async () => defaults);
    await expect(e.normalize({ force: 'true', targetTasks: '4' }, regions)).resolves.toMatchObject({
      ...defaults,
      force: true,
      targetTasks: 4,
      synchronous: false,
      trigger: 'manual',
    });
    await expect(
      e.normalize(
        {},
        regionCtx(() => Promise.resolve(defaults)),
      ),
    ).resolves.toMatchObject({ ...defaults, force: false });
    await expect(e.normalize({ force: 'maybe' }, regions)).rejects.toThrow(UsageError);
    await expect(e.normalize({ bogus: '1' }, regions)).rejects.toThrow(UsageError);
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
    const regions = regionCtx(() => Promise.resolve(defaults as unknown as RegionMove));
    expect(findRunbook('cutback').id).toBe('rb-n-08');
    expect(findRunbook('failback').id).toBe('rb-n-08');
    expect(findRunbook('planned-switchover').id).toBe('switchover');
    expect(findRunbook('rb-n-08')).toBe(cutbackRunbook);
    expect(findRunbook('switchover')).toBe(switchoverRunbook);
    await expect(cutbackRunbook.normalize({}, regions)).resolves.toMatchObject({
      ...defaults,
      reason: 'cutback after failover',
    });
    await expect(
      switchoverRunbook.normalize({ reason: 'quarterly game day' }, regions),
    ).resolves.toMatchObject({ reason: 'quarterly game day' });
    await expect(switchoverRunbook.normalize({ sourceTasks: '-1' }, regions)).rejects.toThrow(
      UsageError,
    );
    await expect(
      findRunbook('rb-n-08').prepare({}, bare('aws'), { config, journalDir }),
    ).rejects.toThrow(CapabilityError);
  });

  it('GIVEN a provider without region ports WHEN rb-n-01 is prepared THEN a capability error', async () => {
    await expect(
      findRunbook('rb-n-01').prepare({}, bare('aws'), { config, journalDir }),
    ).rejects.toThrow(CapabilityError);
    await expect(
      findRunbook('rb-n-01').prepare({}, bare('aws'), { config, journalDir }),
    ).rejects.toThrow(/aws provider/);
  });
});
