import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { forEachLimited } from '../adapters/aws/limit.js';
import type { ObjectStore } from '../ports/object-store.js';
import { sleep } from '../util/net.js';
import type { S3WriteAck } from './s3-measure.js';

/** sha256 of a body, hex. */
export function sha256(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Puts `count` objects `<prefix>obj-00000.bin`…; returns key → sha256. */
export async function seedPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  count: number,
  concurrency = 16,
): Promise<Map<string, string>> {
  const keys = Array.from(
    { length: count },
    (_, i) => `${prefix}obj-${String(i).padStart(5, '0')}.bin`,
  );
  const out = new Map<string, string>();
  await forEachLimited(keys, concurrency, async (key) => {
    const body = `seed ${key} ${'x'.repeat(64)}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    out.set(key, sha256(body));
  });
  return out;
}

/**
 * The drill's workload: one client writing objects under the prefix at `rate` per second,
 * a share creating new keys and the rest overwriting existing ones, every acknowledged write
 * (key, versionId, sha256, ack time) appended to a JSONL log. `hold()` lets the in-flight
 * write finish and holds the next ones until `release()`: the drill uses it to put its
 * restore point between two seconds, and to stop writing at the fault.
 */
export class S3Writer {
  readonly acks: S3WriteAck[] = [];
  private readonly keys: string[];
  private seq = 0;
  private held: Promise<void> | undefined;
  private unhold: (() => void) | undefined;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    existingKeys: Iterable<string>,
    private readonly opts: {
      readonly rate: number;
      readonly logFile: string;
      readonly createShare?: number;
    },
  ) {
    this.keys = [...existingKeys];
  }

  /** Writes that failed (not acknowledged; not counted in the RPO). */
  get failed(): number {
    return this.failures;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Waits for the write in flight; no new write starts until `release()`. */
  async hold(): Promise<Date> {
    if (!this.held) this.held = new Promise((r) => (this.unhold = r));
    await this.inFlight;
    return new Date();
  }

  release(): void {
    this.unhold?.();
    this.held = undefined;
  }

  /** Stops for good once the write in flight is acknowledged. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.release();
    await this.loop;
  }

  private async run(): Promise<void> {
    const period = 1000 / this.opts.rate;
    let next = Date.now();
    while (!this.stopped) {
      if (this.held) await this.held;
      if (this.stopped) break;
      next = Math.max(next + period, Date.now());
      this.inFlight = this.writeOne();
      await this.inFlight;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  private async writeOne(): Promise<void> {
    const seq = ++this.seq;
    const create = this.keys.length === 0 || Math.random() < (this.opts.createShare ?? 0.4);
    const key = create
      ? `${this.prefix}wl-${String(seq).padStart(6, '0')}.bin`
      : this.keys[Math.floor(Math.random() * this.keys.length)]!;
    const body = `workload write ${seq} to ${key} at ${new Date().toISOString()}`;
    const sentAt = new Date().toISOString();
    try {
      const out = await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }),
      );
      const ack: S3WriteAck = {
        seq,
        key,
        versionId: out.VersionId ?? 'null',
        sha256: sha256(body),
        op: create ? 'create' : 'overwrite',
        sentAt,
        at: new Date().toISOString(),
      };
      this.acks.push(ack);
      appendFileSync(this.opts.logFile, JSON.stringify(ack) + '\n');
      if (create) this.keys.push(key);
    } catch {
      this.failures++;
    }
  }
}

/**
 * The bad deploy: `aws s3 rm --recursive` over a share of the prefix and a `sync` from a
 * stale build directory over another share. Returns what it did.
 */
export async function badDeploy(
  s3: S3Client,
  bucket: string,
  keys: ReadonlyArray<string>,
  opts: {
    readonly deleteShare: number;
    readonly overwriteShare: number;
    readonly concurrency?: number;
  },
): Promise<{ deleted: string[]; overwritten: string[] }> {
  // a low-discrepancy pick (golden ratio) spreads the damage over the whole prefix
  const deleted: string[] = [];
  const overwritten: string[] = [];
  [...keys].sort().forEach((k, i) => {
    const u = (i * 0.6180339887) % 1;
    if (u < opts.deleteShare) deleted.push(k);
    else if (u < opts.deleteShare + opts.overwriteShare) overwritten.push(k);
  });
  await forEachLimited(
    [...deleted.map((k) => ['rm', k] as const), ...overwritten.map((k) => ['sync', k] as const)],
    opts.concurrency ?? 16,
    async ([op, key]) => {
      if (op === 'rm') await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      else
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: `stale build artefact for ${key}`,
          }),
        );
    },
  );
  return { deleted, overwritten };
}

/** key → sha256 of the current body of every key the store lists as live under `prefix`. */
export async function currentState(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  concurrency = 16,
): Promise<Map<string, string>> {
  const l = await store.listVersions(bucket, { prefix });
  const live = l.versions.filter((v) => v.isLatest).map((v) => v.key);
  const out = new Map<string, string>();
  await forEachLimited(live, concurrency, async (k) => {
    out.set(k, sha256(await store.getObject(bucket, k)));
  });
  return out;
}

/** key → sha256 of the given versions' bodies. */
export async function stateOfVersions(
  s3: S3Client,
  bucket: string,
  versions: ReadonlyMap<string, string>,
  concurrency = 16,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await forEachLimited([...versions], concurrency, async ([key, versionId]) => {
    const o = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    out.set(key, sha256(await o.Body!.transformToByteArray()));
  });
  return out;
}
