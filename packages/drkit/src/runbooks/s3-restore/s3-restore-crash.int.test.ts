import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, summarize } from '../../engine/journal.js';
import type { LabFixture } from '../../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../../testing/moto-cli.js';
import { startRecordingProxy, type RecordingProxy } from '../../testing/recording-proxy.js';
import { sleep } from '../../util/net.js';
import { appliedFilePath } from './plan-file.js';

/**
 * RB-N-03 killed inside restore-objects and resumed, through the built CLI on moto: a real
 * SIGKILL (the engine's `DRKIT_CRASH_AT=restore-objects:applied <n>/` hook, on the step's
 * progress line) while writes are in flight, then `drkit runbook resume`. The CLI talks to moto
 * through a recording proxy, so the ListObjectVersions calls it made are counted on the wire.
 */
const bucket = 'media-crash';
const N = 300; // keys under img/ at T
const key = (i: number) => `img/${String(i).padStart(3, '0')}.jpg`;
const DELETED = [0, 80]; // deleted after T
const OVERWRITTEN = [80, 160]; // overwritten after T
const CREATED = [N, N + 60]; // created after T
const PLANNED = 80 + 80 + 60;
const PAGE = 50;
const in_ = (i: number, [a, b]: number[]) => i >= a! && i < b!;

let motoCli: MotoCli;
let proxy: RecordingProxy;
let fx: LabFixture;
let s3: S3Client;
let T: Date;
const atT = new Map<string, string | null>();

async function inBatches(n: number, fn: (i: number) => Promise<unknown>, from = 0) {
  for (let i = from; i < from + n; i += 16)
    await Promise.all(Array.from({ length: Math.min(16, from + n - i) }, (_, j) => fn(i + j)));
}

/** Object versions and delete markers moto holds per key (read directly, not via the proxy). */
async function historyPerKey(): Promise<Map<string, { versions: number; markers: number }>> {
  const out = new Map<string, { versions: number; markers: number }>();
  const at = (k: string) => out.get(k) ?? (out.set(k, { versions: 0, markers: 0 }), out.get(k)!);
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const p = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
    );
    for (const v of p.Versions ?? []) at(v.Key!).versions++;
    for (const m of p.DeleteMarkers ?? []) at(m.Key!).markers++;
    if (!p.IsTruncated) return out;
    KeyMarker = p.NextKeyMarker;
    VersionIdMarker = p.NextVersionIdMarker;
  }
}

async function bodyOf(k: string): Promise<string | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
    return await out.Body!.transformToString();
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return null;
    throw e;
  }
}

/** Whole-prefix listing pages the CLI asked for (per-key look-ups have a longer prefix). */
const prefixListings = () =>
  proxy.requests.filter((r) => {
    const q = new URL(r.url, 'http://x').searchParams;
    return r.method === 'GET' && q.has('versions') && q.get('prefix') === 'img/';
  }).length;
/** ListObjectsV2 pages of the prefix (the final check's listing). */
const prefixLatestListings = () =>
  proxy.requests.filter((r) => {
    const q = new URL(r.url, 'http://x').searchParams;
    return r.method === 'GET' && q.get('list-type') === '2' && q.get('prefix') === 'img/';
  }).length;
const keyLookups = () =>
  proxy.requests.filter((r) => {
    const q = new URL(r.url, 'http://x').searchParams;
    return q.has('versions') && (q.get('prefix') ?? '').length > 'img/'.length;
  }).length;

beforeAll(async () => {
  motoCli = await startMotoCli();
  s3 = motoCli.clients.s3();
  proxy = await startRecordingProxy(motoCli.moto.endpoint);
  fx = motoCli.fixture({ endpoint: proxy.endpoint });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const put = (k: string, b: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: b }));
  await inBatches(N, async (i) => {
    await put(key(i), `good-${i}`);
    atT.set(key(i), `good-${i}`);
  });
  await inBatches(20, (i) => put(`other/${i}.txt`, `other-${i}`));
  await sleep(1100);
  T = new Date();
  await sleep(1100);
  await inBatches(80, (i) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(i) })));
  await inBatches(80, (i) => put(key(i), `bad-${i}`), 80);
  await inBatches(
    60,
    async (i) => {
      await put(key(i), `new-${i}`);
      atT.set(key(i), null);
    },
    N,
  );
});
afterAll(async () => {
  await proxy?.stop();
  await motoCli?.stop();
});

describe('RB-N-03 killed inside restore-objects, then resumed (CLI on moto)', () => {
  it('GIVEN a SIGKILL with writes in flight WHEN resumed THEN every key is at its state at T, no key is written twice, and the prefix is not listed again before the final check', async () => {
    const before = await historyPerKey();
    const journalDir = fx.provider.paths.journalDir;
    const args = [
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-03',
      '--provider',
      'aws',
      ...['-p', `bucket=${bucket}`, '-p', 'prefix=img/', '-p', `at=${T.toISOString()}`],
      ...['-p', 'concurrency=8', '-p', `pageSize=${PAGE}`, '--yes'],
    ];
    const killed = await motoCli.run(args, {
      DRKIT_CRASH_AT: `restore-objects:applied ${PLANNED / 2}/${PLANNED}`,
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const [id] = Journal.list(journalDir);
    const pagesPerPass = prefixListings();
    // 300 + 80 + 60 versions and 80 markers, 50 a page
    expect(pagesPerPass).toBe(Math.ceil((N + 80 + 60 + 80) / PAGE));
    const logLines = readFileSync(appliedFilePath(journalDir, id!), 'utf8').trim().split('\n');
    const doneAtKill = logLines.filter((l) => l.startsWith('{"d":')).length;
    expect(doneAtKill).toBeGreaterThanOrEqual(PLANNED / 2);
    expect(doneAtKill).toBeLessThan(PLANNED);

    await sleep(500); // what the killed process had sent reaches moto meanwhile
    const res = await motoCli.run([
      '--config',
      fx.configFile,
      'runbook',
      'resume',
      id!,
      '--provider',
      'aws',
      '--yes',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const records = Journal.read(path.join(journalDir, `${id}.jsonl`));
    const s = summarize(records);
    expect(s.outcome).toBe('succeeded');
    expect(s.state).toMatchObject({
      plannedEntries: PLANNED,
      listingPasses: 2,
      verifiedByResponse: PLANNED,
      restoredCount: 160,
      deletedCount: 60,
      changedUnderRestore: [],
    });
    // on the wire: the plan's pass of versions, then the final check's pass of current objects
    // (ListObjectsV2, compared with the ETags at T) — the resume listed no version of the
    // prefix again, only the keys in flight at the kill (at most `concurrency`) one by one
    expect(s.state).toMatchObject({ finalCheck: 'latest', expectedKeys: N });
    expect(prefixListings()).toBe(pagesPerPass);
    // the N keys present at T are the current objects now: N / PAGE pages
    expect(prefixLatestListings()).toBe(Math.ceil(N / PAGE));
    const after = await historyPerKey();
    const inDoubt = inDoubtAtKill(logLines);
    expect(inDoubt).toBeGreaterThanOrEqual(1); // the kill came with writes in flight
    expect(inDoubt).toBeLessThanOrEqual(8);
    expect(keyLookups()).toBeLessThanOrEqual(inDoubt);

    // key by key: the state at T, and exactly one write per changed key
    for (const [k, want] of atT) expect(await bodyOf(k), k).toBe(want);
    for (let i = 0; i < N + 60; i++) {
      const k = key(i);
      const want = in_(i, DELETED)
        ? { versions: 1, markers: 0 } // its delete marker removed
        : in_(i, OVERWRITTEN)
          ? { versions: 3, markers: 0 } // one copy of the version at T
          : in_(i, CREATED)
            ? { versions: 1, markers: 1 } // one delete marker
            : { versions: 1, markers: 0 };
      expect({ k, ...after.get(k) }).toEqual({ k, ...want });
    }
    for (let i = 0; i < 20; i++)
      expect(after.get(`other/${i}.txt`)).toEqual(before.get(`other/${i}.txt`));
  });
});

/**
 * Entries the killed run had sent but not logged as answered: the resume looks each up on its
 * own key (a copy or a delete; removing delete markers is idempotent and needs no look-up).
 */
function inDoubtAtKill(lines: string[]): number {
  const started = new Set<number>();
  for (const l of lines) {
    const r = JSON.parse(l) as { s?: number; d?: number; k?: string };
    if (r.s !== undefined) started.add(r.s);
    if (r.d !== undefined) started.delete(r.d);
  }
  return started.size;
}
