import { createReadStream, existsSync } from 'node:fs';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AppliedAction, RestoreAction } from '../../ports/object-store.js';

/**
 * The restore plan persisted beside the journal: `<executionId>.s3-plan.jsonl`, one JSON line
 * per key to change (`{"i":n,"a":<action>}`, in key order), after a header line. It is written
 * while the prefix is listed (to `.partial`, renamed when complete), so the restore step applies
 * it without listing again, and a resumed run applies the same plan.
 */
export function planFilePath(dir: string, executionId: string): string {
  return path.join(dir, `${executionId}.s3-plan.jsonl`);
}

/** The apply log: `<executionId>.s3-applied.jsonl`, a start and an outcome line per entry. */
export function appliedFilePath(dir: string, executionId: string): string {
  return path.join(dir, `${executionId}.s3-applied.jsonl`);
}

/** The S3 Batch Operations manifest of the plan's copies: `<executionId>.s3-batch-manifest.csv`. */
export function batchManifestPath(dir: string, executionId: string): string {
  return path.join(dir, `${executionId}.s3-batch-manifest.csv`);
}

/** Header line of a plan file. */
export interface PlanHeader {
  readonly bucket: string;
  readonly prefix: string;
  readonly at?: string;
  readonly manifest?: string;
}

/**
 * Appends JSON lines to `<file>.partial` in batches; `close` makes the file whole (fsync +
 * rename), so a file that exists is complete.
 */
class JsonLinesWriter {
  private readonly fd: number;
  private buf: string[] = [];

  constructor(private readonly file: string) {
    this.fd = openSync(`${file}.partial`, 'w');
  }

  protected line(rec: unknown): void {
    this.buf.push(JSON.stringify(rec));
    if (this.buf.length >= 512) this.flush();
  }

  close(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(`${this.file}.partial`, this.file);
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
  }
}

/** Appends plan entries to `<file>.partial`; `close` makes the file whole (fsync + rename). */
export class PlanWriter extends JsonLinesWriter {
  private n = 0;

  constructor(file: string, header: PlanHeader) {
    super(file);
    this.line({ header });
  }

  /** Entries written so far. */
  get count(): number {
    return this.n;
  }

  add(a: RestoreAction): void {
    this.line({ i: this.n++, a });
  }
}

/**
 * The state at T of every key that existed then, in listing (key) order, written while the
 * plan is listed: `<executionId>.s3-expected.jsonl`, one `{"k":key,"e":etag,"z":size}` line per
 * key. The final check compares a ListObjectsV2 of the prefix against it, key by key, streaming
 * both (a key absent at T has no line: listed now, it is extra).
 */
export function expectedFilePath(dir: string, executionId: string): string {
  return path.join(dir, `${executionId}.s3-expected.jsonl`);
}

/** One key present at T. */
export interface ExpectedKey {
  readonly k: string;
  readonly e?: string;
  readonly z?: number;
}

/** Writes the expected-state file; counts keys whose ETag is not an MD5 of the content. */
export class ExpectedWriter extends JsonLinesWriter {
  keys = 0;
  /** Keys at T with a multipart (or no) ETag: a copy gets another ETag, so ETags cannot prove them. */
  unprovable = 0;

  add(key: string, state: { etag?: string; size?: number }): void {
    this.keys++;
    if (!state.etag || state.etag.includes('-')) this.unprovable++;
    this.line({
      k: key,
      ...(state.etag ? { e: state.etag } : {}),
      ...(state.size !== undefined ? { z: state.size } : {}),
    });
  }
}

/** Streams the expected-state file. */
export async function* readExpected(file: string): AsyncGenerator<ExpectedKey> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield JSON.parse(line) as ExpectedKey;
}

/** One plan entry. */
export interface PlanEntry {
  readonly i: number;
  readonly a: RestoreAction;
}

/** Streams a plan file's entries (one line in memory at a time). */
export async function* readPlan(file: string): AsyncGenerator<PlanEntry> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const rec = JSON.parse(line) as Partial<PlanEntry> & { header?: PlanHeader };
    if (rec.header) continue;
    yield rec as PlanEntry;
  }
}

/** What an earlier (interrupted) apply of the same plan did, read back from its log. */
export interface AppliedSoFar {
  /** Entries applied (their write answered). */
  readonly done: ReadonlyMap<'copy' | 'remove-delete-markers' | 'delete', number>;
  /** True when entry `i` was applied. */
  isDone(i: number): boolean;
  /** True when entry `i` was sent but no answer was logged (the process died meanwhile). */
  inDoubt(i: number): boolean;
}

/**
 * The apply log: one `{"s":i}` line before entry i is sent and one `{"d":i,…}` line with what
 * the write answered (version ids made or removed). Lines are written with write(2) at once,
 * so a killed process loses none of them; `close` fsyncs. Reading it back costs memory for the
 * entries applied out of order only (a watermark covers the rest).
 */
export class AppliedLog implements AppliedSoFar {
  private readonly fd: number;
  private watermark = 0;
  private readonly above = new Set<number>();
  private readonly started = new Set<number>();
  readonly done = new Map<'copy' | 'remove-delete-markers' | 'delete', number>();

  private constructor(file: string) {
    this.fd = openSync(file, 'a');
  }

  /** Opens (and reads back) the log of `file`. */
  static async open(file: string): Promise<AppliedLog> {
    const log = new AppliedLog(file);
    if (existsSync(file)) {
      const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const line of rl) {
        if (!line) continue;
        const r = JSON.parse(line) as { s?: number; d?: number; k?: RestoreAction['kind'] };
        if (r.s !== undefined) log.started.add(r.s);
        if (r.d !== undefined) log.markDone(r.d, r.k);
      }
    }
    return log;
  }

  isDone(i: number): boolean {
    return i < this.watermark || this.above.has(i);
  }

  inDoubt(i: number): boolean {
    return this.started.has(i) && !this.isDone(i);
  }

  /** Entries applied in all (this run and earlier ones). */
  get doneCount(): number {
    let n = 0;
    for (const v of this.done.values()) n += v;
    return n;
  }

  start(i: number): void {
    writeSync(this.fd, `${JSON.stringify({ s: i })}\n`);
  }

  finish(i: number, a: RestoreAction, r: AppliedAction & { found?: boolean }): void {
    writeSync(this.fd, `${JSON.stringify({ d: i, k: a.kind, key: a.key, ...r })}\n`);
    this.markDone(i, a.kind);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private markDone(i: number, kind: RestoreAction['kind'] | undefined): void {
    if (this.isDone(i)) return;
    this.started.delete(i);
    if (kind && kind !== 'none') this.done.set(kind, (this.done.get(kind) ?? 0) + 1);
    this.above.add(i);
    while (this.above.delete(this.watermark)) this.watermark++;
  }
}
