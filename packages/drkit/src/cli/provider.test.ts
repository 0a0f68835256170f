import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { PreconditionError } from '../engine/errors.js';
import type { Secrets } from '../ports/secrets.js';
import { bindProvider, connectRds } from './provider.js';

const secretsWith = (value: Record<string, unknown>): Secrets =>
  ({ kind: 'test', get: async () => value, put: async () => undefined }) as unknown as Secrets;

describe('bindProvider', () => {
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
    const b = bindProvider('aws', parseConfig({ aws: { notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:dr', cdnDistributionId: 'E123' } }), '/tmp');
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
    await expect(connectRds(ep, secretsWith({ username: 'app' }), 'drkit/db-credentials', 'require')).rejects.toBeInstanceOf(PreconditionError);
  });
});
