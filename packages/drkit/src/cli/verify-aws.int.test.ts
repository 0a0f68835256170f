import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { createPostureWorld } from '../testing/posture-world.js';

/**
 * `drkit verify --provider aws --json` through the built CLI against moto (build first:
 * `npm run build -w packages/drkit`): the healthy world exits 0 and keeps its record; a planted
 * fault exits 11 naming the check; an endpoint where nothing listens exits 12 with one clear
 * message.
 */
const A = 'us-east-1';
const B = 'us-west-2';
let motoCli: MotoCli;
let fx: LabFixture;

beforeAll(async () => {
  motoCli = await startMotoCli({ region: A });
  fx = motoCli.fixture(await createPostureWorld(motoCli.clients, A, B));
});
afterAll(() => motoCli?.stop());

interface Result {
  provider: string;
  failed: number;
  warned: number;
  recorded: string;
  checks: { id: string; subject: string; status: string; value: string; reason: string }[];
}

const verify = (configFile = fx.configFile) =>
  motoCli.run(['--config', configFile, 'verify', '--provider', 'aws', '--json']);

describe('drkit verify --provider aws (moto, built CLI)', () => {
  it('GIVEN the healthy world and its config exported THEN exit 0, no fail, one warn (the global table moto cannot show), no drift, and the record is kept', async () => {
    const before = await verify();
    const noExport = (JSON.parse(before.stdout) as Result).checks.find(
      (c) => c.id === 'config.drift',
    );
    expect(noExport).toMatchObject({ status: 'warn', value: 'no export' });
    const exported = await motoCli.run(['--config', fx.configFile, 'config-export']);
    expect(exported.code, exported.stderr).toBe(0);
    const r = await verify();
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Result;
    expect(out).toMatchObject({ provider: 'aws', failed: 0, warned: 1 });
    expect(out.checks).toHaveLength(22);
    expect(out.checks.find((c) => c.id === 'config.drift')).toMatchObject({ status: 'pass' });
    expect(out.checks.find((c) => c.status === 'warn')?.id).toBe('dynamodb.replica');
    const kept = JSON.parse(readFileSync(out.recorded, 'utf8')) as Result;
    expect(path.basename(out.recorded)).toBe('verify-latest.json');
    expect(kept.checks).toEqual(out.checks);
  });

  it('GIVEN versioning suspended WHEN verified THEN exit 11 and the JSON names the failed check and the value seen', async () => {
    const s3 = motoCli.clients.s3(A);
    const set = (Status: 'Enabled' | 'Suspended') =>
      s3.send(
        new PutBucketVersioningCommand({ Bucket: 'media', VersioningConfiguration: { Status } }),
      );
    await set('Suspended');
    try {
      const r = await verify();
      expect(r.code).toBe(11);
      // one JSON document: the error, carrying the result
      const { error } = JSON.parse(r.stdout) as { error: { code: string; details: Result } };
      expect(error.code).toBe('VALIDATION_FAILED');
      const out = error.details;
      expect(out.failed).toBe(1);
      expect(out.checks.filter((c) => c.status === 'fail')).toEqual([
        expect.objectContaining({
          id: 's3.versioning',
          subject: 'bucket media',
          value: 'Suspended',
        }),
      ]);
    } finally {
      await set('Enabled');
    }
  });

  it('GIVEN aws.endpoint where nothing listens THEN exit 12 with one message naming the endpoint and what to do', async () => {
    const dead = motoCli.fixture({ endpoint: 'http://127.0.0.1:9' });
    const r = await verify(dead.configFile);
    expect(r.code).toBe(12);
    const { error } = JSON.parse(r.stdout) as {
      error: { code: string; message: string; hint: string };
    };
    expect(error.code).toBe('EXTERNAL');
    expect(error.message).toMatch(
      /AWS is unreachable in us-east-1 \(http:\/\/127\.0\.0\.1:9\): .*ECONNREFUSED/,
    );
    expect(error.hint).toContain('nothing answers at aws.endpoint http://127.0.0.1:9');
    const human = await motoCli.run(['--config', dead.configFile, 'verify', '--provider', 'aws']);
    expect(human.code).toBe(12);
    expect(human.stderr).toContain('error: AWS is unreachable in us-east-1 (http://127.0.0.1:9)');
    expect(human.stderr).toContain('hint: nothing answers at aws.endpoint');
  });

  it('GIVEN no credentials anywhere THEN exit 8 saying so, not "unreachable"', async () => {
    const r = await motoCli.run(['--config', fx.configFile, 'verify', '--provider', 'aws'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      HOME: path.join(fx.dir, 'no-home'),
    });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain('error: no AWS credentials to verify with');
    expect(r.stderr).toContain('hint: set AWS_PROFILE');
  });
});
