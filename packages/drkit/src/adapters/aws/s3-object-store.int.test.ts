import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrError, NotFoundError, PreconditionError } from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { sleep } from '../../util/net.js';
import { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { forEachLimited } from './limit.js';
import { S3ObjectStore } from './s3-object-store.js';

let moto: MotoServer;
let clients: AwsClients;
let s3: S3Client;
let store: S3ObjectStore;

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  s3 = clients.s3();
  store = new S3ObjectStore({ clients });
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

/** The test's own model of the bucket: key -> current body, `null` when deleted. */
type Model = Map<string, string | null>;

async function put(
  bucket: string,
  key: string,
  body: string,
  model: Model,
  lock = false,
): Promise<string> {
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'text/plain',
      ...(lock
        ? {
            ObjectLockMode: 'GOVERNANCE' as const,
            ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
          }
        : {}),
    }),
  );
  model.set(key, body);
  return out.VersionId!;
}

async function del(bucket: string, key: string, model: Model): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  model.set(key, null);
}

async function bodyOrNull(bucket: string, key: string): Promise<string | null> {
  try {
    return Buffer.from(await store.getObject(bucket, key)).toString();
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const k = (i: number) => `media/${String(i).padStart(5, '0')}.jpg`;

describe('S3ObjectStore on moto: single-key methods', () => {
  const bucket = 'drkit-basic';
  const model: Model = new Map();

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  });

  it('GIVEN two versions WHEN restoreVersion(old) THEN the old content is the latest, as a new version', async () => {
    await put(bucket, 'path/to/object.jpg', 'one', model);
    const v1 = (await store.listVersions(bucket, { prefix: 'path/to/object.jpg' })).versions[0]!
      .versionId;
    await put(bucket, 'path/to/object.jpg', 'two', model);
    await store.restoreVersion(bucket, 'path/to/object.jpg', v1);
    expect(await bodyOrNull(bucket, 'path/to/object.jpg')).toBe('one');
    expect(
      (await store.listVersions(bucket, { prefix: 'path/to/object.jpg' })).versions,
    ).toHaveLength(3);
  });

  it('GIVEN a key with spaces and unicode WHEN restoreVersion THEN CopySource is encoded correctly', async () => {
    const key = 'weird dir/é + ü?.txt';
    await put(bucket, key, 'old', model);
    const v1 = (await store.listVersions(bucket, { prefix: key })).versions[0]!.versionId;
    await put(bucket, key, 'new', model);
    await store.restoreVersion(bucket, key, v1);
    expect(await bodyOrNull(bucket, key)).toBe('old');
  });

  it('GIVEN a key deleted three times WHEN undelete THEN the markers are removed and the object is back', async () => {
    await put(bucket, 'gone.txt', 'here', model);
    for (let i = 0; i < 3; i++) await del(bucket, 'gone.txt', model);
    expect(await bodyOrNull(bucket, 'gone.txt')).toBeNull();
    const removed = await store.undelete(bucket, 'gone.txt');
    expect(removed).toHaveLength(3);
    expect(await bodyOrNull(bucket, 'gone.txt')).toBe('here');
    expect(await store.undelete(bucket, 'gone.txt')).toEqual([]); // safe to run twice
  });

  it('GIVEN missing things THEN NotFoundError (bucket, key, undelete with no version)', async () => {
    await expect(store.listVersions('drkit-no-such-bucket')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getObject(bucket, 'never-was')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.undelete(bucket, 'never-was')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('GIVEN a manifest of key,versionId WHEN planned and applied THEN each key has that version content', async () => {
    await put(bucket, 'm/a', 'a1', model);
    await put(bucket, 'm/b', 'b1', model);
    const l = await store.listVersions(bucket, { prefix: 'm/' });
    const va = l.versions.find((v) => v.key === 'm/a')!.versionId;
    const vb = l.versions.find((v) => v.key === 'm/b')!.versionId;
    await put(bucket, 'm/a', 'a2', model);
    await del(bucket, 'm/b', model);
    const plan = await store.planRestoreFromManifest(bucket, [
      { key: 'm/a', versionId: va },
      { key: 'm/b', versionId: vb },
    ]);
    expect(plan.actions.map((a) => a.kind)).toEqual(['copy', 'remove-delete-markers']);
    const summary = await store.applyRestorePlan(plan);
    expect([...summary.restored].sort()).toEqual(['m/a', 'm/b']);
    expect(await bodyOrNull(bucket, 'm/a')).toBe('a1');
    expect(await bodyOrNull(bucket, 'm/b')).toBe('b1');
    const again = await store.planRestoreFromManifest(bucket, [{ key: 'm/a', versionId: va }]);
    expect(again.actions[0]).toMatchObject({ kind: 'none', reason: 'already-restored' });
    await expect(
      store.planRestoreFromManifest(bucket, [{ key: 'm/a', versionId: 'nope' }]),
    ).rejects.toBeInstanceOf(PreconditionError);
  });

  it('GIVEN an unversioned bucket WHEN a plan needs a delete marker THEN refused (a delete would be permanent)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'drkit-unversioned' }));
    const plan = {
      bucket: 'drkit-unversioned',
      actions: [{ kind: 'delete' as const, key: 'x', reason: 'created-after-t' as const }],
      warnings: [],
    };
    await expect(store.applyRestorePlan(plan)).rejects.toBeInstanceOf(PreconditionError);
  });
});

describe('S3ObjectStore on moto: prefix restore to a point in time', () => {
  const bucket = 'drkit-pitr-locked';
  const model: Model = new Map();
  let atT: Map<string, string | null>;
  let T: Date;
  const lockedVersionIds: string[] = [];

  beforeAll(async () => {
    // Object Lock buckets are versioned from creation.
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    // Each phase touches a key at most once, and phases are > 1 s apart: S3 times are
    // reported to the second, so that is what makes "the state at T" well defined.
    const phase = async (fn: (i: number) => Promise<void>, ids: number[]) => {
      await forEachLimited(ids, 16, fn);
      await sleep(1100);
    };
    // phase 1: 1500 keys, every 10th with a GOVERNANCE retention; one key outside the prefix
    await phase(
      async (i) => {
        const id = await put(bucket, k(i), `v1-${i}`, model, i % 10 === 0);
        if (i % 10 === 0) lockedVersionIds.push(id);
      },
      range(0, 1500),
    );
    await put(bucket, 'other/outside.txt', 'outside-1', model);
    await put(bucket, 'media/zz-flap.txt', 'flap-1', model);
    // phase 2 (before T): overwrite 0..199, delete 1200..1299
    await phase(
      async (i) =>
        void (i < 200 ? await put(bucket, k(i), `v2-${i}`, model) : await del(bucket, k(i), model)),
      [...range(0, 200), ...range(1200, 1300)],
    );
    T = new Date();
    atT = new Map(model);
    await sleep(1100);
    // phase 3 (after T): overwrite 100..499, delete 500..799, create 1500..1799, recreate 1250..1299
    await phase(
      async (i) =>
        void (i >= 500 && i < 800
          ? await del(bucket, k(i), model)
          : await put(bucket, k(i), `v3-${i}`, model)),
      [...range(100, 800), ...range(1500, 1800), ...range(1250, 1300)],
    );
    // phase 4 (after T): delete some of the overwritten (600 keys now have v + marker above T),
    // and 40 delete markers in a row on one key: with 7 entries a page, whole pages of markers.
    await phase((i) => del(bucket, k(i), model), range(400, 450));
    for (let i = 0; i < 40; i++) await del(bucket, 'media/zz-flap.txt', model);
    await put(bucket, 'other/outside.txt', 'outside-2', model);
  });

  it('GIVEN thousands of versions WHEN listed in pages THEN every entry is found, including pages of only delete markers', async () => {
    // moto re-sorts the whole bucket for every ListObjectVersions call (~0.4 s here), so tiny
    // pages are used on the key with 40 markers in a row, and 250-entry pages on the prefix.
    const pages: Array<{ versions: number; deleteMarkers: number }> = [];
    const flap = await store.listVersions(bucket, {
      prefix: 'media/zz',
      pageSize: 7,
      onPage: (p) => pages.push(p),
    });
    expect(flap.versions.length).toBe(1);
    expect(flap.deleteMarkers.length).toBe(40);
    expect(
      pages.filter((p) => p.versions === 0 && p.deleteMarkers === 7).length,
    ).toBeGreaterThanOrEqual(4);
    const l = await store.listVersions(bucket, { prefix: 'media/', pageSize: 250 });
    // 1500 + 1 flap + 200 + 400 + 300 + 50 versions; 100 + 300 + 50 + 40 markers
    expect(l.versions.length).toBe(1500 + 1 + 200 + 400 + 300 + 50);
    expect(l.deleteMarkers.length).toBe(100 + 300 + 50 + 40);
    expect(l.pages).toBe(Math.ceil((l.versions.length + l.deleteMarkers.length) / 250));
    // the dry-run text names the same call, page size and prefix (no prefix: the whole bucket)
    expect(store.planListVersions(bucket, { prefix: 'media/', pageSize: 250 })).toEqual([
      `s3:ListObjectVersions Bucket=${bucket} Prefix=media/ MaxKeys=250 (every page, KeyMarker/VersionIdMarker)`,
    ]);
    expect(store.planListVersions(bucket)).toEqual([
      `s3:ListObjectVersions Bucket=${bucket} Prefix=(none) MaxKeys=1000 (every page, KeyMarker/VersionIdMarker)`,
    ]);
  });

  it('GIVEN a locked version WHEN deleted directly THEN ACCESS_DENIED (Object Lock enforced by moto)', async () => {
    const err = await awsCall({ action: 's3:DeleteObject' }, () =>
      s3.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: k(0), VersionId: lockedVersionIds[0] }),
      ),
    ).catch((e: unknown) => e);
    expect((err as DrError).code).toBe('ACCESS_DENIED');
  });

  it('GIVEN the bucket WHEN restoring media/ to T THEN every key equals its state at T, key by key', async () => {
    const plan = await store.planRestoreToTime(bucket, 'media/', T, { pageSize: 250 });
    expect(plan.warnings).toEqual([]);
    const byKind = (kind: string) => plan.actions.filter((a) => a.kind === kind).length;
    // every key ever seen under the prefix has exactly one action, none silently dropped
    expect(plan.actions.length).toBe(
      [...model.keys()].filter((x) => x.startsWith('media/')).length,
    );
    expect(byKind('copy')).toBe(400); // 100..499 overwritten after T (400..449 then deleted too)
    expect(byKind('remove-delete-markers')).toBe(300 + 1); // 500..799 and the flapping key
    expect(byKind('delete')).toBe(300 + 50); // created after T; deleted at T but recreated
    expect(
      plan.actions.filter((a) => a.kind === 'none' && a.reason === 'absent-at-t-and-now'),
    ).toHaveLength(50);

    const dry = await store.applyRestorePlan(plan, { dryRun: true });
    expect(dry.restored.length + dry.deleted.length).toBe(plan.actions.length - byKind('none'));

    const progress: number[] = [];
    const summary = await store.applyRestorePlan(plan, {
      concurrency: 16,
      onProgress: (p) => progress.push(p.done),
    });
    expect(summary.failed).toEqual([]);
    expect(summary.restored.length).toBe(400 + 301);
    expect(summary.deleted.length).toBe(350);
    expect(progress.at(-1)).toBe(summary.restored.length + summary.deleted.length);

    const mismatches: string[] = [];
    await forEachLimited(
      [...atT.keys()].concat([...model.keys()].filter((x) => !atT.has(x))),
      16,
      async (key) => {
        if (!key.startsWith('media/')) return;
        const want = atT.get(key) ?? null;
        const got = await bodyOrNull(bucket, key);
        if (got !== want) mismatches.push(`${key}: want ${want} got ${got}`);
      },
    );
    expect(mismatches).toEqual([]);
    expect(await bodyOrNull(bucket, 'other/outside.txt')).toBe('outside-2'); // outside the prefix: untouched

    // locked versions are all still there; nothing was permanently deleted
    const after = await store.listVersions(bucket, { prefix: 'media/' });
    const ids = new Set(after.versions.map((v) => v.versionId));
    expect(lockedVersionIds.length).toBe(150);
    expect(lockedVersionIds.every((id) => ids.has(id))).toBe(true);

    // planning again finds nothing to do
    const again = await store.planRestoreToTime(bucket, 'media/', T);
    expect(again.actions.filter((a) => a.kind !== 'none')).toEqual([]);
  });
});
