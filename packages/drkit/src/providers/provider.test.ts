import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { CapabilityError, PreconditionError, UsageError } from '../engine/errors.js';
import type { Secrets } from '../ports/secrets.js';
import { s3Restore } from '../runbooks/s3-restore/index.js';
import { bindProvider, connectRds } from './index.js';

const secretsWith = (value: Record<string, unknown>): Secrets =>
  ({ kind: 'test', get: async () => value, put: async () => undefined }) as unknown as Secrets;

describe('bindProvider', () => {
  it('GIVEN aws without the RB-N-01 keys WHEN its region ports are asked for THEN a UsageError naming every missing key', () => {
    const b = bindProvider(
      'aws',
      parseConfig({ aws: { regions: { a: { dbCluster: 'core-a' } } } }),
      '/tmp',
    );
    try {
      expect(() => b.port('regionTopology')).toThrow(UsageError);
      expect(() => b.port('router')).toThrow(
        /aws\.route53\.hostedZoneId, aws\.route53\.recordName, aws\.regions\.a\.ecsCluster.*aws\.regions\.b\.dbCluster/,
      );
      expect(() => b.port('regionDatabase')).not.toThrow(/aws\.regions\.a\.dbCluster/);
    } finally {
      b.close();
    }
  });

  it("GIVEN aws with the RB-N-01 keys WHEN bound THEN Route 53, ECS and both regions' RDS; post-checks unset without appUrl", async () => {
    const region = (x: string) => ({
      dbCluster: `core-${x}`,
      ecsCluster: `app-${x}`,
      ecsService: 'web',
      recordValue: `192.0.2.${x === 'a' ? 1 : 2}`,
    });
    const b = bindProvider(
      'aws',
      parseConfig({
        aws: {
          route53: { hostedZoneId: 'Z1', recordName: 'api.example.com' },
          regions: { a: region('a'), b: region('b') },
        },
      }),
      '/tmp',
    );
    try {
      const topology = b.port('regionTopology');
      expect(b.port('router').kind).toBe('aws-route53');
      expect(b.port('compute').kind).toBe('aws-ecs');
      expect(topology.frontDoorUrl).toBeUndefined();
      expect(await topology.move()).toMatchObject({
        fromRegion: 'us-east-1',
        toRegion: 'us-west-2',
        fromCluster: 'core-a',
        toCluster: 'core-b',
        targetTasks: 2,
        appConfigSecret: 'drkit/db-endpoint',
      });
    } finally {
      b.close();
    }
  });

  it('GIVEN provider aws WHEN bound THEN RDS, Secrets Manager and S3 adapters in regionA; the log notifier without a topic', () => {
    const b = bindProvider('aws', parseConfig({ aws: { regionA: 'eu-west-1' } }), '/tmp');
    try {
      expect(b.provider).toBe('aws');
      expect(b.port('database').kind).toBe('aws-rds');
      expect(b.port('appSecret').secrets.kind).toBe('aws-secrets-manager');
      expect(b.port('objectStore').kind).toBe('aws-s3');
      expect(b.port('notifier').kind).toBe('log');
    } finally {
      b.close();
    }
  });

  it('GIVEN a notify topic and a distribution in config WHEN bound to aws THEN SNS and the default distribution', async () => {
    const b = bindProvider(
      'aws',
      parseConfig({
        aws: { notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:dr', cdnDistributionId: 'E123' },
      }),
      '/tmp',
    );
    try {
      expect(b.port('notifier').kind).toBe('aws-sns');
      // the default distribution of an RB-N-03 run on this provider
      const { state } = await s3Restore.prepare(
        { bucket: 'media', at: '2020-01-01T00:00:00Z' },
        b,
        { config: b.config, journalDir: b.journalDir },
      );
      expect(state.distributionId).toBe('E123');
    } finally {
      b.close();
    }
  });

  it('GIVEN the lab provider without aws.endpoint WHEN RB-N-03 asks for an object store THEN a capability error naming --provider aws', () => {
    const b = bindProvider('lab', parseConfig({}), '/tmp');
    // the CLI prints the message (naming provider and port), then the hint
    expect(() => b.port('objectStore')).toThrow(CapabilityError);
    expect(() => b.port('objectStore')).toThrow(/lab provider has no object store/);
    expect(() => b.port('objectStore')).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/--provider aws/) }),
    );
  });
});

describe('connectRds', () => {
  it('GIVEN a credentials secret without a password WHEN connecting THEN PreconditionError before any connection', async () => {
    const ep = { host: '127.0.0.1', port: 1, database: 'app', user: 'app' };
    await expect(
      connectRds(ep, secretsWith({ username: 'app' }), 'drkit/db-credentials', 'require'),
    ).rejects.toBeInstanceOf(PreconditionError);
  });
});
