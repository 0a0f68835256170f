import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PostureCheck, PosturePolicy } from '../ports/posture.js';

/** What `drkit verify` saw on its last run, as the dashboard reads it back. */
export interface VerifyRecord {
  /** When the checks ran (ISO 8601). */
  readonly checkedAt: string;
  readonly provider: string;
  readonly policy: PosturePolicy;
  readonly checks: ReadonlyArray<PostureCheck>;
}

/** The newest `drkit verify` result: `<stateDir>/posture/verify-latest.json`. */
export function verifyRecordPath(stateDir: string): string {
  return path.join(stateDir, 'posture', 'verify-latest.json');
}

/**
 * Writes the record beside the state (through a temporary file and a rename, so a reader never
 * sees half a record). Returns the path written.
 */
export function writeVerifyRecord(stateDir: string, record: VerifyRecord): string {
  const file = verifyRecordPath(stateDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  return file;
}

const RecordShape = z.object({
  checkedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time'),
  provider: z.string(),
  policy: z.object({
    maxBackupAgeHours: z.number(),
    minWindowDays: z.number(),
    rpoTargetSeconds: z.number(),
  }),
  checks: z.array(
    z.object({
      id: z.string(),
      subject: z.string(),
      status: z.enum(['pass', 'warn', 'fail']),
      value: z.string(),
      reason: z.string(),
    }),
  ),
});

/**
 * The newest verify record under `stateDir`: `none` when verify never ran there, `malformed`
 * with the reason when the file cannot be read as a record (the dashboard names it).
 */
export function readVerifyRecord(
  stateDir: string,
):
  | { readonly kind: 'none'; readonly file: string }
  | { readonly kind: 'malformed'; readonly file: string; readonly reason: string }
  | { readonly kind: 'record'; readonly file: string; readonly record: VerifyRecord } {
  const file = verifyRecordPath(stateDir);
  if (!existsSync(file)) return { kind: 'none', file };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { kind: 'malformed', file, reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = RecordShape.safeParse(raw);
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
