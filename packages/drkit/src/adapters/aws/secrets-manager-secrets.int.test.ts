import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { createRotationLambda } from '../../testing/breach-world.js';
import type { AwsClients } from './clients.js';
import { startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { SecretsManagerSecrets } from './secrets-manager-secrets.js';

let moto: MotoServer;
let clients: AwsClients;
let lambdaArn: string;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  lambdaArn = await createRotationLambda(moto, clients);
}, 120_000);
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('SecretsManagerSecrets rotation on moto (security-breach runbook)', () => {
  it('GIVEN a secret without rotation WHEN describeRotation THEN not enabled, no Lambda, its AWSCURRENT version, and no value', async () => {
    await clients
      .secrets()
      .send(new CreateSecretCommand({ Name: 'legacy', SecretString: '{"token":"s3cr3t-legacy"}' }));
    const sm = new SecretsManagerSecrets({ clients });
    const d = await sm.describeRotation('legacy');
    const current = (
      await clients.secrets().send(new GetSecretValueCommand({ SecretId: 'legacy' }))
    ).VersionId!;
    expect(d).toEqual({
      name: 'legacy',
      rotationEnabled: false,
      lambdaArn: undefined,
      owningService: undefined,
      stages: { AWSCURRENT: [current] },
      lastRotatedAt: undefined,
    });
    expect(JSON.stringify(d)).not.toContain('s3cr3t');
  });

  it('GIVEN rotation configured through a Lambda WHEN rotate THEN describeRotation shows the Lambda and the new version as AWSPENDING beside AWSCURRENT', async () => {
    await clients
      .secrets()
      .send(new CreateSecretCommand({ Name: 'db', SecretString: '{"password":"s3cr3t-db"}' }));
    const sm = new SecretsManagerSecrets({ clients });
    const before = await sm.describeRotation('db');
    // the dry-run text names the calls (RotateImmediately defaults to true, as rotate does)
    // and rotates nothing
    expect(sm.planDescribeRotation('db')).toEqual(['secretsmanager:DescribeSecret SecretId=db']);
    expect(sm.planRotate('db', { lambdaArn })).toEqual([
      `secretsmanager:RotateSecret SecretId=db RotateImmediately=true RotationLambdaARN=${lambdaArn}`,
    ]);
    expect(sm.planRotate('db', { rotateImmediately: false })).toEqual([
      'secretsmanager:RotateSecret SecretId=db RotateImmediately=false',
    ]);
    expect(await sm.describeRotation('db')).toEqual(before);
    const { versionId } = await sm.rotate('db', { lambdaArn, afterDays: 30 });
    const after = await sm.describeRotation('db');
    expect(after).toMatchObject({
      name: 'db',
      rotationEnabled: true,
      lambdaArn,
      owningService: undefined,
    });
    expect(versionId).not.toBe(before.stages.AWSCURRENT![0]);
    expect(after.stages.AWSCURRENT).toEqual(before.stages.AWSCURRENT);
    expect(after.stages.AWSPENDING).toEqual([versionId]);
    expect(Date.parse(after.lastRotatedAt!)).not.toBeNaN();
    expect(JSON.stringify(after)).not.toContain('s3cr3t');
  });

  it('GIVEN an unknown secret WHEN describeRotation THEN NotFoundError naming it', async () => {
    const err = await new SecretsManagerSecrets({ clients })
      .describeRotation('no-such-secret')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain('secretsmanager:DescribeSecret on no-such-secret');
  });
});
