import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError, PreconditionError } from '../engine/errors.js';

/**
 * A config export on disk (`drkit config-export`, `drkit config-drift`): one normalized JSON
 * file per resource, named by its identity, compared with what is live. Provider-neutral: the
 * provider decides which resources exist and what their identity is.
 */

/** The export's sub-directories drkit owns (files elsewhere in the dir are left alone). */
export const EXPORT_SUBDIRS = ['cloudfront', 'waf', 'route53'] as const;

/** One resource to write or compare: its relative file path and its configuration. */
export interface SnapshotResource {
  readonly file: string;
  readonly body: unknown;
}

/** One resource's drift: added (live only), removed (export only) or changed (with paths). */
export interface DriftEntry {
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** JSON Pointers (RFC 6901) of the values that differ; empty for added/removed. */
  readonly paths: string[];
}

/** The value with object keys sorted recursively and `undefined` fields removed. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortKeys(x);
    }
    return o;
  }
  return v;
}

/** The bytes of one exported file: sorted keys, two-space indent, trailing newline. */
export function serialize(body: unknown): string {
  return `${JSON.stringify(sortKeys(body), null, 2)}\n`;
}

/**
 * Writes every resource under `dir` and removes the files of resources that no longer exist
 * (only `*.json` under {@link EXPORT_SUBDIRS}). Files whose bytes did not change are not
 * rewritten. Returns the relative paths written and removed.
 */
export function writeSnapshot(
  dir: string,
  resources: ReadonlyArray<SnapshotResource>,
): { written: string[]; removed: string[]; unchanged: number } {
  const keep = new Set(resources.map((r) => r.file));
  const written: string[] = [];
  let unchanged = 0;
  for (const r of resources) {
    const p = path.join(dir, r.file);
    const text = serialize(r.body);
    if (fs.existsSync(p) && fs.readFileSync(p, 'utf8') === text) {
      unchanged++;
      continue;
    }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    written.push(r.file);
  }
  const removed = listSnapshotFiles(dir).filter((f) => !keep.has(f));
  for (const f of removed) fs.rmSync(path.join(dir, f));
  return { written, removed, unchanged };
}

/**
 * Reads an export written by {@link writeSnapshot}.
 * @throws NotFoundError when `dir` does not exist or holds no exported file
 * @throws PreconditionError when an exported file is not valid JSON
 */
export function readSnapshot(dir: string): SnapshotResource[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new NotFoundError(`config export directory ${dir} does not exist`, {
      hint: 'run `drkit config-export --out <dir>` first (and commit it), or pass the right --dir',
    });
  const files = listSnapshotFiles(dir);
  if (!files.length)
    throw new NotFoundError(`config export directory ${dir} holds no exported resources`, {
      hint: `expected JSON files under ${EXPORT_SUBDIRS.join('/, ')}/: run \`drkit config-export --out ${dir}\` first`,
    });
  return files.map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    try {
      return { file, body: JSON.parse(text) as unknown };
    } catch (err) {
      throw new PreconditionError(`${path.join(dir, file)} is not valid JSON`, {
        hint: 'restore it from git, or export again',
        cause: err,
      });
    }
  });
}

/** Compares an export with the live resources, file by file, in file order. */
export function diffSnapshots(
  saved: ReadonlyArray<SnapshotResource>,
  live: ReadonlyArray<SnapshotResource>,
): DriftEntry[] {
  const a = new Map(saved.map((r) => [r.file, sortKeys(r.body)]));
  const b = new Map(live.map((r) => [r.file, sortKeys(r.body)]));
  const out: DriftEntry[] = [];
  for (const file of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (!b.has(file)) out.push({ file, change: 'removed', paths: [] });
    else if (!a.has(file)) out.push({ file, change: 'added', paths: [] });
    else {
      const paths: string[] = [];
      diffValues(a.get(file), b.get(file), '', paths);
      if (paths.length) out.push({ file, change: 'changed', paths });
    }
  }
  return out;
}

function diffValues(x: unknown, y: unknown, at: string, paths: string[]): void {
  const obj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (i >= x.length || i >= y.length) paths.push(`${at}/${i}`);
      else diffValues(x[i], y[i], `${at}/${i}`, paths);
    }
    return;
  }
  if (obj(x) && obj(y)) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort())
      diffValues(x[k], y[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, paths);
    return;
  }
  if (JSON.stringify(x) !== JSON.stringify(y)) paths.push(at || '/');
}

function listSnapshotFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.json')) out.push(r);
    }
  };
  for (const s of EXPORT_SUBDIRS) walk(s);
  return out.sort();
}
