import {
  DeleteBucketReplicationCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostureCheck } from '../ports/posture.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import { createPostureWorld, replicationTo } from '../testing/posture-world.js';
import { labObjectStoragePosture, verifyLab } from './verify.js';

/**
 * `drkit verify` on the lab provider with buckets named in `aws.s3`: the lab's S3 (a real moto
 * server at `aws.endpoint`) held to seed 000 by the same checks as AWS — versioning, a
 * replication rule to region B, Object Lock on the compliance bucket, the delete-version policy
 * exempting only the break-glass role. Healthy → pass; versioning suspended → fail; the
 * replication rule removed → fail. No PostgreSQL runs here: the lab's database checks have
 * their own tests, and without a lab verify also fails `lab.primary`, which is asserted too.
 */
const A = 'us-east-1';
const B = 'us-west-2';
let motoCli: MotoCli;
let fx: LabFixture;

beforeAll(async () => {
  // In-process checks take the default credential chain: moto's fake keys in the environment.
  motoCli = await startMotoCli({ region: A, processEnv: true });
  const aws = await createPostureWorld(motoCli.clients, A, B);
  fx = motoCli.fixture({ s3: aws.s3, regionB: B });
});
afterAll(() => motoCli?.stop());

const s3Checks = async (): Promise<PostureCheck[]> => labObjectStoragePosture(fx.config);
const failed = (cs: PostureCheck[]) =>
  cs.filter((c) => c.status === 'fail').map((c) => [c.id, c.subject, c.value]);

describe('drkit verify (lab): object storage posture on the lab S3 (moto)', () => {
  it('GIVEN healthy buckets WHEN the CLI verifies the lab THEN every S3 check passes, beside the lab.primary fail of a lab not up', async () => {
    const r = await motoCli.run(['--config', fx.configFile, '--json', 'verify']);
    expect(r.code, r.stderr).toBe(11);
    const { error } = JSON.parse(r.stdout) as {
      error: { details: { provider: string; checks: PostureCheck[] } };
    };
    expect(error.details.provider).toBe('lab');
    const s3 = error.details.checks.filter((c) => c.id.startsWith('s3.'));
    expect(s3.map((c) => `${c.id} ${c.subject} ${c.status}`).sort()).toEqual(
      ['assets', 'media']
        .flatMap((b) =>
          ['s3.versioning', 's3.replication', 's3.object-lock', 's3.delete-policy'].map(
            (id) => `${id} bucket ${b} pass`,
          ),
        )
        .sort(),
    );
    expect(failed(error.details.checks)).toEqual([
      ['lab.primary', 'lab', 'no running primary with a pgBackRest stanza'],
    ]);
    expect(s3.find((c) => c.id === 's3.object-lock' && c.subject === 'bucket media')?.value).toBe(
      'enabled, default COMPLIANCE 7 days',
    );
  });

  it('GIVEN versioning suspended on a bucket WHEN verified THEN s3.versioning fails naming it and the state seen', async () => {
    const set = (Status: 'Enabled' | 'Suspended') =>
      motoCli.clients
        .s3(A)
        .send(
          new PutBucketVersioningCommand({ Bucket: 'assets', VersioningConfiguration: { Status } }),
        );
    await set('Suspended');
    try {
      const cs = await s3Checks();
      expect(failed(cs)).toEqual([['s3.versioning', 'bucket assets', 'Suspended']]);
      expect(cs.find((c) => c.status === 'fail')?.reason).toMatch(/versioning suspended/);
      // through verifyLab too: the lab's verify carries it
      const all = await verifyLab(fx.provider, fx.config);
      expect(failed(all)).toContainEqual(['s3.versioning', 'bucket assets', 'Suspended']);
    } finally {
      await set('Enabled');
    }
  });

  it('GIVEN the replication rule removed WHEN verified THEN s3.replication fails saying nothing reaches region B', async () => {
    const s3 = motoCli.clients.s3(A);
    await s3.send(new DeleteBucketReplicationCommand({ Bucket: 'media' }));
    try {
      const cs = await s3Checks();
      expect(failed(cs)).toEqual([['s3.replication', 'bucket media', 'no replication rule']]);
      expect(cs.find((c) => c.status === 'fail')?.reason).toBe(
        `nothing is copied to ${B}: a region loss loses the bucket`,
      );
    } finally {
      await s3.send(new PutBucketReplicationCommand(replicationTo('media')));
    }
    expect(failed(await s3Checks())).toEqual([]);
  });

  it('GIVEN buckets named but no aws.endpoint WHEN the lab verifies THEN one warn saying what to set, never a pass', async () => {
    const cs = await labObjectStoragePosture({
      ...fx.config,
      aws: { ...fx.config.aws, endpoint: undefined },
    });
    expect(cs).toEqual([
      expect.objectContaining({ id: 's3', status: 'warn', value: 'no endpoint' }),
    ]);
    expect(cs[0]!.reason).toMatch(/set it, or verify them with --provider aws/);
  });
});
