/**
 * The DR posture before a disaster (`drkit verify`): can the protected system be recovered today,
 * within its targets? Each backend answers with checks; the CLI joins them.
 */

/** pass: holds; warn: holds now but will not for long, or cannot be judged; fail: recovery at risk. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One posture check and what it saw. */
export interface PostureCheck {
  /** Stable id, e.g. `pgbackrest.verify`. */
  readonly id: string;
  /** What it is about, e.g. `cluster region-a (stanza region-a)`. */
  readonly subject: string;
  readonly status: CheckStatus;
  /** The value seen, as a person reads it (`newest backup 3.2 h old`). */
  readonly value: string;
  /** Why it passed, warned or failed, against which policy. */
  readonly reason: string;
}

/** The policies the checks hold the system to. */
export interface PosturePolicy {
  /** The newest backup older than this fails. */
  readonly maxBackupAgeHours: number;
  /** A recoverable window shorter than this fails (seeds: ≥ 7 days, one release cycle). */
  readonly minWindowDays: number;
  /** RPO target: archive and replica lag above it fail. */
  readonly rpoTargetSeconds: number;
}
