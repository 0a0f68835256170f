/**
 * Peak memory of RB-N-03's plan building, in a process of its own:
 *
 *   npx tsx bench/s3-pit-restore/plan-memory.ts --versions 300000
 *   node --expose-gc --import tsx bench/s3-pit-restore/plan-memory.ts --versions 300000 --retained
 *
 * `S3ObjectStore.streamRestoreToTime` (KeyGrouper + planKey) is fed synthetic ListObjectVersions
 * pages (1000 entries, as S3 and the SDK return them: Versions and DeleteMarkers apart) from an
 * in-process S3 client, and its actions go to the plan file (`PlanWriter`) as plan-restore
 * writes them. Seeding 300,000 versions into moto would take most of an hour (and moto copies the
 * whole bucket on every page), so the pages are generated here, lazily: the generator holds one
 * key at a time. Prints one JSON line: versions, keys, pages, baseline and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  type ObjectVersion,
  type DeleteMarkerEntry,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../../packages/drkit/src/adapters/aws/clients.js';
import { S3ObjectStore } from '../../packages/drkit/src/adapters/aws/s3-object-store.js';
import { PlanWriter } from '../../packages/drkit/src/runbooks/s3-restore/plan-file.js';

const args = process.argv.slice(2);
const i = args.indexOf('--versions');
const VERSIONS = i >= 0 ? Number(args[i + 1]) : 300_000;
/** With `node --expose-gc`: a full GC every 50 pages, to read the live heap (what is retained). */
const RETAINED = args.includes('--retained');
const T = new Date('2026-11-30T12:00:00Z');
const before = new Date(T.getTime() - 3600_000);
const after = new Date(T.getTime() + 3600_000);

type Entry = { marker: boolean; key: string; versionId: string; at: Date; latest: boolean };

/** The scenario's mix, key by key: 40 % overwritten, 20 % deleted, 5 % created after T. */
function* entries(total: number): Generator<Entry> {
  let n = 0;
  for (let k = 0; n < total; k++) {
    const key = `media/${String(k).padStart(8, '0')}.jpg`;
    const r = k % 20;
    const v = (id: string, at: Date, latest: boolean, marker = false): Entry => ({
      marker,
      key,
      versionId: `${id}-${k}`,
      at,
      latest,
    });
    const group =
      r < 8
        ? [v('new', after, true), v('old', before, false)]
        : r < 12
          ? [v('dm', after, true, true), v('old', before, false)]
          : r === 12
            ? [v('created', after, true)]
            : [v('old', before, true)];
    for (const e of group) {
      yield e;
      n++;
    }
  }
}

/** An S3 client that answers GetBucketVersioning and ListObjectVersions from `entries`. */
function syntheticClients(total: number): AwsClients {
  const it = entries(total);
  let pending: Entry | undefined;
  const send = async (cmd: unknown) => {
    if (cmd instanceof GetBucketVersioningCommand) return { Status: 'Enabled' };
    if (!(cmd instanceof ListObjectVersionsCommand)) throw new Error('unexpected command');
    const max = cmd.input.MaxKeys ?? 1000;
    const Versions: ObjectVersion[] = [];
    const DeleteMarkers: DeleteMarkerEntry[] = [];
    let last: Entry | undefined;
    for (let n = 0; n < max; n++) {
      const e = pending ?? it.next().value;
      pending = undefined;
      if (!e) break;
      last = e;
      const base = { Key: e.key, VersionId: e.versionId, LastModified: e.at, IsLatest: e.latest };
      if (e.marker) DeleteMarkers.push(base);
      else
        Versions.push({ ...base, ETag: `"${e.versionId}"`, Size: 100, StorageClass: 'STANDARD' });
    }
    const next = it.next();
    const truncated = !next.done;
    pending = next.done ? undefined : next.value;
    await new Promise((r) => setImmediate(r)); // a page arrives asynchronously, as over HTTP
    return {
      Versions,
      DeleteMarkers,
      IsTruncated: truncated,
      ...(truncated ? { NextKeyMarker: last!.key, NextVersionIdMarker: last!.versionId } : {}),
    };
  };
  return { s3: () => ({ send }) } as unknown as AwsClients;
}

const dir = mkdtempSync(path.join(tmpdir(), 'drkit-plan-memory-'));
try {
  const store = new S3ObjectStore({ clients: syntheticClients(VERSIONS) });
  const writer = new PlanWriter(path.join(dir, 'bench.s3-plan.jsonl'), {
    bucket: 'bench',
    prefix: 'media/',
    at: T.toISOString(),
  });
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  let peakRss = baseRss;
  let retained = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 5);
  const started = Date.now();
  const summary = await store.streamRestoreToTime('bench', 'media/', T, {
    onAction: (a) => {
      if (a.kind !== 'none') writer.add(a);
    },
    onPage: (p) => {
      sample();
      if (RETAINED && p.index % 50 === 0) {
        if (!global.gc) throw new Error('--retained needs node --expose-gc');
        global.gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed);
      }
    },
  });
  writer.close();
  clearInterval(timer);
  sample();
  const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  console.log(
    JSON.stringify({
      versions: summary.versions + summary.deleteMarkers,
      keys: summary.keys,
      pages: summary.pages,
      planned: writer.count,
      ms: Date.now() - started,
      baseRssMiB: mib(baseRss),
      peakRssMiB: mib(peakRss),
      maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
      peakHeapMiB: mib(peakHeap),
      ...(RETAINED ? { retainedHeapMiB: mib(retained) } : {}),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
