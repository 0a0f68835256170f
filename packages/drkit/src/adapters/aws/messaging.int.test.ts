import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetSendQuotaCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionError } from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { AwsClients } from './clients.js';
import { SecretsManagerSecrets } from './secrets-manager-secrets.js';
import { SesMailer } from './ses-mailer.js';
import { SnsNotifier, snsSubject } from './sns-notifier.js';
import { pointAppAt, viewApp } from '../../runbooks/shared/app-endpoint.js';
import { RDS_SECRET_FORMAT } from '../app-secret/index.js';

let moto: MotoServer;
let clients: AwsClients;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('SecretsManagerSecrets on moto', () => {
  it('GIVEN no secret WHEN get THEN NotFoundError; WHEN put twice THEN created then replaced; list names it', async () => {
    const s = new SecretsManagerSecrets({ clients });
    await expect(s.get('drkit/app')).rejects.toBeInstanceOf(NotFoundError);
    await s.put('drkit/app', { global_readonly: false });
    await s.put('drkit/app', { global_readonly: true });
    expect(await s.get('drkit/app')).toEqual({ global_readonly: true });
    expect(await s.list()).toContain('drkit/app');
  });

  it('GIVEN an RDS-style DB secret WHEN pointAppAt (RDS layout) THEN host/port/dbClusterId change, dbname and the password are kept', async () => {
    const s = new SecretsManagerSecrets({ clients });
    await s.put('radiant-production-db', {
      engine: 'postgres',
      host: 'old.cluster-x.us-east-1.rds.amazonaws.com',
      port: 5432,
      username: 'app',
      password: 'p',
      dbname: 'app',
    });
    await pointAppAt(
      s,
      'radiant-production-db',
      'dr-core-1',
      {
        host: 'dr-core-1.cluster-y.us-east-1.rds.amazonaws.com',
        port: 5433,
        database: 'postgres',
        user: 'x',
      },
      { format: RDS_SECRET_FORMAT },
    );
    expect(await s.get('radiant-production-db')).toEqual({
      engine: 'postgres',
      host: 'dr-core-1.cluster-y.us-east-1.rds.amazonaws.com',
      port: 5433,
      dbname: 'app',
      username: 'app',
      password: 'p',
      dbClusterId: 'dr-core-1',
    });
    expect(await viewApp(s, 'radiant-production-db', RDS_SECRET_FORMAT)).toEqual({
      clusterId: 'dr-core-1',
      endpoint: {
        host: 'dr-core-1.cluster-y.us-east-1.rds.amazonaws.com',
        port: 5433,
        database: 'app',
        user: 'app',
      },
      globalReadonly: false,
    });
  });

  it('GIVEN a non-JSON secret WHEN get THEN PreconditionError that does not echo the value', async () => {
    await clients
      .secrets()
      .send(new CreateSecretCommand({ Name: 'plain', SecretString: 'hunter2' }));
    const err = await new SecretsManagerSecrets({ clients }).get('plain').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });

  it('GIVEN replica regions WHEN a secret is created THEN it is replicated to region B', async () => {
    const s = new SecretsManagerSecrets({ clients, replicaRegions: ['us-west-2'] });
    await s.put('drkit/replicated', { a: 1 });
    const d = await clients
      .secrets()
      .send(new DescribeSecretCommand({ SecretId: 'drkit/replicated' }));
    expect(d.ReplicationStatus?.map((r) => r.Region)).toEqual(['us-west-2']);
    expect(
      await new SecretsManagerSecrets({ clients, region: 'us-west-2' }).get('drkit/replicated'),
    ).toEqual({ a: 1 });
  });

  it('GIVEN a secret WHEN rotate with RotateImmediately=false THEN rotation is scheduled (moto has no rotation Lambda)', async () => {
    const s = new SecretsManagerSecrets({ clients });
    await s.put('radiant-rotate', { password: 'x' });
    await s.rotate('radiant-rotate', { rotateImmediately: false, afterDays: 30 });
    const d = await clients
      .secrets()
      .send(new DescribeSecretCommand({ SecretId: 'radiant-rotate' }));
    expect(d.RotationEnabled).toBe(true);
    expect(d.RotationRules?.AutomaticallyAfterDays).toBe(30);
    await expect(s.rotate('no-such-secret', { rotateImmediately: false })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('SnsNotifier on moto', () => {
  it('GIVEN a topic WHEN notify THEN moto holds the published message with an SNS-safe subject', async () => {
    const topic = await clients.sns().send(new CreateTopicCommand({ Name: 'drkit-dr' }));
    const n = new SnsNotifier({ clients, topicArn: topic.TopicArn! });
    await n.notify({
      subject: 'RB-N-03 restore done — media/',
      body: '40 keys restored',
      severity: 'info',
    });
    const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
      sns: { Topic: Record<string, Record<string, unknown>> };
    };
    expect(JSON.stringify(data.sns)).toContain('40 keys restored');
    expect(snsSubject('x'.repeat(150))).toHaveLength(100);
    expect(snsSubject('a\nb — c')).toBe('a b ? c');
    await expect(
      new SnsNotifier({ clients, topicArn: 'arn:aws:sns:us-east-1:123456789012:nope' }).notify({
        subject: 's',
        body: 'b',
        severity: 'info',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('SesMailer on moto', () => {
  it('GIVEN a verified sender WHEN send THEN SES counts it; GIVEN an unverified one THEN PreconditionError', async () => {
    const m = new SesMailer({ clients });
    await clients
      .ses()
      .send(new VerifyEmailIdentityCommand({ EmailAddress: 'dr@radiant.example.com' }));
    const r = await m.send({
      from: 'dr@radiant.example.com',
      to: ['oncall@radiant.example.com'],
      subject: 'DR drill',
      text: 'started',
      html: '<p>started</p>',
    });
    expect(r.messageId).not.toBe('');
    const q = await clients.ses().send(new GetSendQuotaCommand({}));
    expect(q.SentLast24Hours).toBe(1);
    await expect(
      m.send({ from: 'nobody@unverified.example', to: ['x@y.example'], subject: 's', text: 't' }),
    ).rejects.toBeInstanceOf(PreconditionError);
  });
});
