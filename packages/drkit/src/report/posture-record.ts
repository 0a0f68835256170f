import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/** A posture record read back: absent, unreadable with the reason, or the record. */
export type PostureRecordRead<T> =
  | { readonly kind: 'none'; readonly file: string }
  | { readonly kind: 'malformed'; readonly file: string; readonly reason: string }
  | { readonly kind: 'record'; readonly file: string; readonly record: T };

/** Writes JSON through a temporary file and a rename, so a reader never sees half a record. */
export function writePostureRecord(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/**
 * Reads a record `drkit verify` or `drkit restore-test` kept under the state directory: `none`
 * when the file is not there, `malformed` naming the first thing wrong (the dashboard and the
 * metrics name it instead of failing).
 */
export function readPostureRecord<T>(file: string, shape: z.ZodType<T>): PostureRecordRead<T> {
  if (!existsSync(file)) return { kind: 'none', file };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { kind: 'malformed', file, reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'malformed',
      file,
      reason: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { kind: 'record', file, record: parsed.data };
}
