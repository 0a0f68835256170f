/**
 * The incident both restores undo, built on a moto server: a versioned bucket whose prefix holds
 * `keys` keys before T (all but `edges` live at T), then after T 40 % of the live keys
 * overwritten, 20 % deleted and 5 % more created. The `edges` keys were deleted before T and are
 * laid out so that each one's delete marker is the last entry of a ListObjectVersions page (1000
 * entries) and the version it hides the first entry of the next page.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { forEachLimited } from '../../packages/drkit/src/adapters/aws/limit.js';
import { sleep } from '../../packages/drkit/src/util/net.js';

/** U: unchanged after T; O: overwritten after T; D: deleted after T; C: created after T; E: deleted before T. */
export type Role = 'U' | 'O' | 'D' | 'C' | 'E';

/** Entries each role leaves in the listing. */
const ENTRIES: Record<Role, number> = { U: 1, O: 2, D: 2, C: 1, E: 2 };

/** The keys in listing order with their role, and the counts. */
export interface Layout {
  readonly prefix: string;
  readonly keys: ReadonlyArray<{ key: string; role: Role }>;
  /** Keys in the prefix before T (live at T + deleted before T): the keys/s numerator. */
  readonly keysBeforeT: number;
  readonly counts: Record<Role, number>;
  /** Listing entries after the fault. */
  readonly entries: number;
}

/** Deterministic PRNG (mulberry32), so every run of a scale gets the same layout. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lays out `keys` keys (of which `edges` are the page-boundary keys deleted before T). */
export function layout(keys: number, edges = 3, page = 1000, prefix = 'media/'): Layout {
  const live = keys - edges;
  const o = Math.round(live * 0.4);
  const d = Math.round(live * 0.2);
  const c = Math.round(live * 0.05);
  const pool: Role[] = [
    ...Array<Role>(live - o - d).fill('U'),
    ...Array<Role>(o).fill('O'),
    ...Array<Role>(d).fill('D'),
    ...Array<Role>(c).fill('C'),
  ];
  const r = rng(17);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const roles: Role[] = [];
  let cum = 0;
  let edgesLeft = edges;
  for (let i = 0; i < pool.length;) {
    if (edgesLeft > 0 && cum % page === page - 1) {
      roles.push('E'); // marker at index page-1 of this page, its version first on the next
      cum += 2;
      edgesLeft--;
      continue;
    }
    if (edgesLeft > 0 && cum % page === page - 2 && ENTRIES[pool[i]!] === 2) {
      // a 2-entry key here would jump the boundary: bring a 1-entry key forward
      const j = pool.findIndex((x, n) => n > i && ENTRIES[x] === 1);
      if (j > 0) [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    roles.push(pool[i]!);
    cum += ENTRIES[pool[i]!];
    i++;
  }
  if (edgesLeft > 0) throw new Error(`${keys} keys: only ${edges - edgesLeft} page boundaries`);
  const counts: Record<Role, number> = { U: 0, O: 0, D: 0, C: 0, E: 0 };
  for (const x of roles) counts[x]++;
  const width = String(roles.length).length + 1;
  return {
    prefix,
    keys: roles.map((role, i) => ({ key: `${prefix}${String(i).padStart(width, '0')}.jpg`, role })),
    keysBeforeT: keys,
    counts,
    entries: cum,
  };
}

/** Body of a key's version written in `phase` (unique per key and phase, ~100 bytes). */
export function body(key: string, phase: 'at-t' | 'after-t' | 'created'): string {
  return `${key}|${phase}|${'x'.repeat(80)}`;
}

/** MD5 hex: what S3 (and moto) answer as the ETag of a single-part object. */
export function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** The state at T: key -> ETag of its content then (keys absent at T are not in the map). */
export function stateAtT(l: Layout): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, role } of l.keys)
    if (role === 'U' || role === 'O' || role === 'D') out.set(key, md5(body(key, 'at-t')));
  return out;
}

/**
 * Builds the incident in `bucket` (created here): writes before T, takes T (1.1 s clear of any
 * write on both sides: S3 times are to the millisecond, moto's too), then the fault.
 * @returns T
 */
export async function seed(
  s3: S3Client,
  bucket: string,
  l: Layout,
  concurrency = 32,
): Promise<Date> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const put = (key: string, b: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: b })).then(() => undefined);
  const del = (key: string) =>
    s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).then(() => undefined);
  const before = l.keys.filter((k) => k.role !== 'C');
  await forEachLimited(before, concurrency, ({ key }) => put(key, body(key, 'at-t')));
  await sleep(50); // the delete markers strictly after their versions (times are to the ms)
  await forEachLimited(
    l.keys.filter((k) => k.role === 'E'),
    concurrency,
    ({ key }) => del(key),
  );
  await sleep(1100);
  const t = new Date();
  await sleep(1100);
  await forEachLimited(
    l.keys.filter((k) => k.role === 'O' || k.role === 'D' || k.role === 'C'),
    concurrency,
    ({ key, role }) =>
      role === 'D' ? del(key) : put(key, body(key, role === 'O' ? 'after-t' : 'created')),
  );
  return t;
}

/**
 * Checks on the seeded bucket that each edge key's delete marker is the last entry of a
 * 1000-entry page and its version the first of the next (reads only as many pages as needed).
 * @throws Error when the layout did not land on the page boundaries
 */
export async function checkPageBoundaries(
  s3: S3Client,
  bucket: string,
  l: Layout,
): Promise<number> {
  const edges = new Set(l.keys.filter((k) => k.role === 'E').map((k) => k.key));
  let found = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let prevLast: { key: string; marker: boolean } | undefined;
  while (found < edges.size) {
    const out = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: l.prefix,
        MaxKeys: 1000,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    const all = [
      ...(out.Versions ?? []).map((v) => ({ key: v.Key!, marker: false, t: v.LastModified! })),
      ...(out.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, marker: true, t: m.LastModified! })),
    ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.t.getTime() - a.t.getTime()));
    const first = all[0];
    if (prevLast && edges.has(prevLast.key)) {
      if (!prevLast.marker || first?.key !== prevLast.key || first.marker)
        throw new Error(`edge key ${prevLast.key} is not split marker | version across pages`);
      found++;
    }
    const last = all.at(-1);
    prevLast = last && { key: last.key, marker: last.marker };
    if (!out.IsTruncated) break;
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
  if (found !== edges.size)
    throw new Error(`${found} of ${edges.size} edge keys sit on a page boundary`);
  return found;
}

/**
 * The bucket's current state under the prefix, key by key: ListObjectsV2 (latest versions only)
 * with each key's ETag — the MD5 of its content. moto's ListObjectsV2 does not copy every
 * version as its ListObjectVersions does, so this check stays cheap at 30,000 keys.
 */
export async function currentState(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) out.set(o.Key!, (o.ETag ?? '').replaceAll('"', ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Keys whose current state differs from the state at T (present/absent or content). */
export function wrongKeys(expected: Map<string, string>, current: Map<string, string>): string[] {
  const wrong: string[] = [];
  for (const [k, etag] of expected) if (current.get(k) !== etag) wrong.push(k);
  for (const k of current.keys()) if (!expected.has(k)) wrong.push(k);
  return wrong.sort();
}
