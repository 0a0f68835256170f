import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../adapters/aws/clients.js';
import { CloudFrontCdn } from '../../adapters/aws/cloudfront-cdn.js';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.js';
import { createDistribution } from '../../drills/s3-world.js';
import { NotFoundError, ValidationFailedError } from '../../engine/errors.js';
import { runStep } from '../../testing/run-step.js';
import { execute, type ExecutorEvent } from '../../engine/executor.js';
import type { MotoServer } from '../../lab/moto-server.js';
import type { Notification, Notifier } from '../../ports/notifier.js';
import { dumpVersions, startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { sleep } from '../../util/net.js';
import { createS3RestoreRunbook, S3RestoreParamsSchema, type S3RestoreState } from './index.js';

/** A test double that records notifications (SNS delivery has its own moto test). */
class RecordingNotifier implements Notifier {
  readonly kind = 'recording';
  readonly sent: Notification[] = [];
  planNotify(msg: Notification): string[] {
    return [`record "${msg.subject}"`];
  }
  async notify(msg: Notification): Promise<void> {
    this.sent.push(msg);
  }
}

let moto: MotoServer;
let clients: AwsClients;
let distributionId: string;
const bucket = 'media-originals-prod';
const journalDir = mkdtempSync(path.join(tmpdir(), 'drkit-rb-n-03-'));
const atT = new Map<string, string | null>();
let T: Date;

const key = (i: number) => `img/${String(i).padStart(3, '0')}.jpg`;
const body = async (k: string) => {
  try {
    return Buffer.from(await new S3ObjectStore({ clients }).getObject(bucket, k)).toString();
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
};

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  const s3 = clients.s3();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  distributionId = await createDistribution(clients.cloudfront(), bucket);
  for (let i = 0; i < 60; i++) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `good-${i}` }));
    atT.set(key(i), `good-${i}`);
  }
  await sleep(1100);
  T = new Date();
  await sleep(1100);
  // the incident: a purge deletes 20 keys, a bad job overwrites 20, and creates 10 new ones
  for (let i = 0; i < 20; i++)
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(i) }));
  for (let i = 20; i < 40; i++)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `bad-${i}` }));
  for (let i = 60; i < 70; i++) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `new-${i}` }));
    atT.set(key(i), null);
  }
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

function parsed(extra: Record<string, unknown>) {
  return S3RestoreParamsSchema.parse({
    bucket,
    prefix: 'img/',
    distributionId,
    ...extra,
  }) as S3RestoreState;
}

/** The params as the CLI's normalize makes them: the plan file goes beside the journal. */
function params(extra: Record<string, unknown>): S3RestoreState {
  return { ...parsed(extra), planDir: journalDir };
}

async function invalidations(): Promise<number> {
  const out = await clients
    .cloudfront()
    .send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  return out.InvalidationList?.Quantity ?? 0;
}

describe('RB-N-03 on moto', () => {
  it('GIVEN the incident WHEN run with --dry-run THEN it prints every API call and moto state is unchanged', async () => {
    const notifier = new RecordingNotifier();
    const rb = createS3RestoreRunbook({
      store: new S3ObjectStore({ clients }),
      cdn: new CloudFrontCdn({ clients }),
      notifier,
    });
    const before = await dumpVersions(clients.s3(), bucket);
    const invBefore = await invalidations();
    const events: ExecutorEvent[] = [];
    await execute(rb, params({ at: T.toISOString() }), {
      journalDir,
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    expect(await dumpVersions(clients.s3(), bucket)).toEqual(before);
    expect(await invalidations()).toBe(invBefore);
    expect(notifier.sent).toEqual([]);
    const lines = events.flatMap((e) => (e.type === 'plan' ? e.lines : []));
    expect(
      lines.filter((l) => l.startsWith('s3:DeleteObject') && l.includes('VersionId=')),
    ).toHaveLength(20);
    expect(
      lines.filter((l) => l.startsWith('s3:CopyObject') && l.includes('MetadataDirective=COPY')),
    ).toHaveLength(20);
    expect(
      lines.filter((l) => l.startsWith('s3:DeleteObject') && l.includes('put a delete marker')),
    ).toHaveLength(10);
    expect(
      lines.some((l) =>
        l.includes('s3:ListObjectVersions Bucket=media-originals-prod Prefix=img/'),
      ),
    ).toBe(true);
    expect(events.find((e) => e.type === 'plan' && e.step === 'restore-objects')).toMatchObject({
      destructive: true,
    });
  });

  it('GIVEN the incident WHEN run for real THEN every key is back to its state at T, the CDN is purged, people are told', async () => {
    const notifier = new RecordingNotifier();
    const rb = createS3RestoreRunbook({
      store: new S3ObjectStore({ clients }),
      cdn: new CloudFrontCdn({ clients }),
      notifier,
    });
    const invBefore = await invalidations();
    const res = await execute(rb, params({ at: T.toISOString(), concurrency: 8 }), {
      journalDir,
      yes: true,
    });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(res.state).toMatchObject({
      restoredCount: 40,
      deletedCount: 10,
      plannedActions: { copy: 20, 'remove-delete-markers': 20, delete: 10, none: 20 },
    });
    expect(res.state.changedKeys).toHaveLength(50);
    // one listing to plan, one final check; every entry proven by its write answer
    expect(res.state).toMatchObject({
      listingPasses: 2,
      plannedEntries: 50,
      verifiedByResponse: 50,
    });
    expect(res.state.changedUnderRestore).toEqual([]);
    for (const [k, want] of atT) expect(await body(k), k).toBe(want);
    expect(await invalidations()).toBe(invBefore + 1);
    expect(res.state.invalidationIds).toHaveLength(1);
    expect(notifier.sent[0]?.body).toContain('40 keys restored, 10 given a delete marker');

    // a second run finds nothing to do
    const again = await execute(rb, params({ at: T.toISOString() }), { journalDir, yes: true });
    expect(again.state).toMatchObject({ restoredCount: 0, deletedCount: 0, changedKeys: [] });
  });

  it('GIVEN writers change keys after the restore step WHEN the final check runs THEN one ListObjectsV2 against the ETags at T names each changed, missing and extra key', async () => {
    const rb = createS3RestoreRunbook({
      store: new S3ObjectStore({ clients }),
      cdn: new CloudFrontCdn({ clients }),
      notifier: new RecordingNotifier(),
    });
    // a run over the restored prefix: nothing to write, but a plan and the ETags at T recorded
    const res = await execute(rb, params({ at: T.toISOString() }), { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(res.state).toMatchObject({
      finalCheck: 'latest',
      expectedKeys: 60,
      expectedUnprovable: 0,
    });
    const s3 = clients.s3();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(45), Body: 'late-writer' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(50) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(65), Body: 'late-new' }));
    try {
      const verify = rb.steps.find((st) => st.id === 'verify-restore')!;
      const err = await runStep(verify, res.state, res.executionId).then(
        () => undefined,
        (e: unknown) => e as ValidationFailedError,
      );
      expect(err).toBeInstanceOf(ValidationFailedError);
      expect(err!.message).toMatch(/^3 key\(s\) are not at their target state/);
      expect((err!.details as { keys: string[] }).keys).toEqual([
        expect.stringMatching(
          /^img\/045\.jpg: changed \(ETag "[0-9a-f]+" now, "[0-9a-f]+" at T\)$/,
        ),
        'img/050.jpg: missing (present at T, gone now)',
        'img/065.jpg: extra (absent at T, present now)',
      ]);
    } finally {
      // put the keys back at T for the tests below
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(45), Body: 'good-45' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(50), Body: 'good-50' }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(65) }));
    }
  });

  it('GIVEN a CSV manifest of key,versionId WHEN run THEN those keys hold those versions', async () => {
    const store = new S3ObjectStore({ clients });
    const l = await store.listVersions(bucket, { prefix: 'img/00' });
    // overwrite two keys again, then restore them from a manifest of their original versions
    const s3 = clients.s3();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(0), Body: 'oops' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(1) }));
    const v = (k: string) => l.versions.find((x) => x.key === k && x.lastModified < T)!.versionId;
    const file = path.join(journalDir, 'restore-list.csv');
    writeFileSync(file, `key,versionId\n${key(0)},${v(key(0))}\n${key(1)},${v(key(1))}\n`);
    const rb = createS3RestoreRunbook({ store, cdn: new CloudFrontCdn({ clients }) });
    const res = await execute(rb, params({ manifest: file }), { journalDir, yes: true });
    expect(res.state).toMatchObject({ restoredCount: 2, changedKeys: [key(0), key(1)] });
    expect(await body(key(0))).toBe('good-0');
    expect(await body(key(1))).toBe('good-1');
  });

  it('GIVEN both at and manifest, or neither THEN the params are refused', () => {
    expect(S3RestoreParamsSchema.safeParse({ bucket, at: 'x', manifest: 'y' }).success).toBe(false);
    expect(S3RestoreParamsSchema.safeParse({ bucket }).success).toBe(false);
  });
});
