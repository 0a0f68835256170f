import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { PreconditionError, UsageError } from '../engine/errors.js';
import type { Secrets } from '../ports/secrets.js';
import { bindProvider, connectRds } from './provider.js';

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
      expect(() => b.ports.regions!()).toThrow(UsageError);
      expect(() => b.ports.regions!()).toThrow(
        /aws\.route53\.hostedZoneId, aws\.route53\.recordName, aws\.regions\.a\.ecsCluster.*aws\.regions\.b\.dbCluster/,
      );
      expect(() => b.ports.regions!()).not.toThrow(/aws\.regions\.a\.dbCluster/);
    } finally {
      b.close();
    }
  });

  it("GIVEN aws with the RB-N-01 keys WHEN bound THEN Route 53, ECS and both regions' RDS; post-checks unset without appUrl", () => {
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
      const { deps, defaults } = b.ports.regions!();
      expect(deps.router.kind).toBe('aws-route53');
      expect(deps.compute.kind).toBe('aws-ecs');
      expect(deps.frontDoorUrl).toBeUndefined();
      expect(defaults).toMatchObject({
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
      expect(b.ports.provider).toBe('aws');
      expect(b.ports.database.kind).toBe('aws-rds');
      expect(b.ports.secrets.kind).toBe('aws-secrets-manager');
      expect(b.ports.objectStore().kind).toBe('aws-s3');
      expect(b.ports.notifier.kind).toBe('log');
    } finally {
      b.close();
    }
  });

  it('GIVEN a notify topic and a distribution in config WHEN bound to aws THEN SNS and the default distribution', () => {
    const b = bindProvider(
      'aws',
      parseConfig({
        aws: { notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:dr', cdnDistributionId: 'E123' },
      }),
      '/tmp',
    );
    try {
      expect(b.ports.notifier.kind).toBe('aws-sns');
      expect(b.ports.defaultDistributionId).toBe('E123');
    } finally {
      b.close();
    }
  });

  it('GIVEN the lab provider without aws.endpoint WHEN RB-N-03 asks for an object store THEN a capability error naming --provider aws', () => {
    const b = bindProvider('lab', parseConfig({}), '/tmp');
    expect(() => b.ports.objectStore()).toThrow(/--provider aws/);
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
