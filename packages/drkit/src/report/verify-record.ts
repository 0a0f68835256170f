import path from 'node:path';
import { z } from 'zod';
import type { PostureCheck, PosturePolicy } from '../ports/posture.js';
import { readPostureRecord, writePostureRecord, type PostureRecordRead } from './posture-record.js';

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
  writePostureRecord(file, record);
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
export function readVerifyRecord(stateDir: string): PostureRecordRead<VerifyRecord> {
  return readPostureRecord(verifyRecordPath(stateDir), RecordShape);
}
