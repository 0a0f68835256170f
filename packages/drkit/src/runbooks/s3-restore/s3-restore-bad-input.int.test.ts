import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { dumpVersions } from '../../testing/moto.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import { sleep } from '../../util/net.js';

/**
 * RB-N-03's bad inputs through the built CLI on moto: each is refused with an error that names
 * what was wrong and what to do, before any write — both buckets are byte-for-byte as before
 * (every version and delete marker), and no journal records a destructive step.
 */
const versioned = 'media-bad-input';
const plain = 'media-unversioned';

let motoCli: MotoCli;
let fx: LabFixture;
let s3: S3Client;
let T: string;
const versionOf = new Map<string, string>();

beforeAll(async () => {
  motoCli = await startMotoCli({ maxAttempts: 1 });
  s3 = motoCli.clients.s3();
  fx = motoCli.fixture();
  for (const b of [versioned, plain]) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: versioned,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  for (const b of [versioned, plain])
    for (let i = 0; i < 5; i++) {
      const out = await s3.send(
        new PutObjectCommand({ Bucket: b, Key: `img/${i}.jpg`, Body: `good-${i}` }),
      );
      if (b === versioned) versionOf.set(`img/${i}.jpg`, out.VersionId!);
    }
  await sleep(1100);
  T = new Date().toISOString();
  await sleep(1100);
  // an incident in each bucket, so a run that went ahead would change something
  for (const b of [versioned, plain]) {
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'img/0.jpg' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'img/1.jpg', Body: 'bad' }));
  }
});
afterAll(() => motoCli?.stop());

const rb03 = (...params: string[]) => [
  '--config',
  fx.configFile,
  'runbook',
  'run',
  'rb-n-03',
  '--provider',
  'aws',
  '--yes',
  ...params.flatMap((p) => ['-p', p]),
];

/** Both buckets' every version and delete marker. */
const world = async () => ({
  versioned: await dumpVersions(s3, versioned),
  plain: await dumpVersions(s3, plain),
});

/** Runs the CLI and checks it refused: exit code, message, hint, and nothing changed. */
async function refused(args: string[], code: number, message: RegExp, hint: RegExp) {
  const before = await world();
  const r = await motoCli.run(args);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(hint);
  expect(await world()).toEqual(before);
  // nothing was applied: no apply log in the journal directory
  const dir = fx.provider.paths.journalDir;
  const applied = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.s3-applied.jsonl'))
    : [];
  expect(applied).toEqual([]);
  return r;
}

describe('RB-N-03 bad inputs (CLI on moto): a clear error, and the bucket unchanged', () => {
  it('GIVEN preferCopy=maybe THEN refused as a usage error listing the accepted words', async () => {
    await refused(
      rb03(`bucket=${versioned}`, 'prefix=img/', `at=${T}`, 'preferCopy=maybe'),
      2,
      /--param preferCopy: expected a boolean \(true\/false, 1\/0, yes\/no\), got "maybe"/,
      /preferCopy/,
    );
  });

  it('GIVEN a manifest naming a version that does not exist THEN refused, naming the line, before any key is restored', async () => {
    const file = path.join(fx.dir, 'restore-list.csv');
    writeFileSync(
      file,
      `key,versionId\nimg/0.jpg,${versionOf.get('img/0.jpg')}\nimg/1.jpg,no-such-version\nimg/9.jpg,${versionOf.get('img/2.jpg')}\n`,
    );
    const r = await refused(
      rb03(`bucket=${versioned}`, `manifest=${file}`),
      4,
      /2 manifest line\(s\) name a version that does not exist in s3:\/\/media-bad-input/,
      /fix or remove these lines.*nothing was restored/,
    );
    expect(r.stderr).toContain('img/1.jpg,no-such-version');
    expect(r.stderr).toContain(`img/9.jpg,${versionOf.get('img/2.jpg')}`);
  });

  it('GIVEN a prefix with no versions THEN refused, naming the bucket and prefix', async () => {
    await refused(
      rb03(`bucket=${versioned}`, 'prefix=Img/', `at=${T}`),
      4,
      /no object version under s3:\/\/media-bad-input\/Img\//,
      /check the bucket and the prefix \(case-sensitive/,
    );
  });

  it('GIVEN an unversioned bucket THEN refused (point in time and manifest alike): there are no old versions, and deletes would be permanent', async () => {
    await refused(
      rb03(`bucket=${plain}`, 'prefix=img/', `at=${T}`),
      4,
      /s3:\/\/media-unversioned has versioning never enabled: a restore needs a versioned bucket/,
      /enable versioning on the bucket/,
    );
    const file = path.join(fx.dir, 'plain-list.csv');
    writeFileSync(file, 'img/1.jpg,null\n');
    await refused(
      rb03(`bucket=${plain}`, `manifest=${file}`),
      4,
      /s3:\/\/media-unversioned has versioning never enabled/,
      /enable versioning on the bucket/,
    );
  });

  it('GIVEN a bucket that does not exist THEN refused as not found', async () => {
    const before = await s3.send(new ListObjectVersionsCommand({ Bucket: versioned }));
    await refused(
      rb03('bucket=no-such-bucket', 'prefix=img/', `at=${T}`),
      3,
      /s3:GetBucketVersioning on s3:\/\/no-such-bucket: not found \(NoSuchBucket\)/,
      /hint: check the name and the region/,
    );
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: versioned }))).Versions).toEqual(
      before.Versions,
    );
  });
});
