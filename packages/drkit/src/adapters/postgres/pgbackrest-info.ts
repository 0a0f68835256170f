import type { BackupInfo, RecoverableWindow } from '../../ports/database.js';
import { NotFoundError } from '../../engine/errors.js';

/** One backup as `pgbackrest info --output=json` reports it. */
export interface PgBackRestBackup extends BackupInfo {
  readonly type: 'full' | 'diff' | 'incr';
  /** Bytes stored in the repository (after compression/dedup). */
  readonly repoSizeBytes?: number;
  /** First and last WAL segment the backup needs to be consistent. */
  readonly walStart?: string;
  readonly walStop?: string;
  /** The backup this one depends on (diff/incr). */
  readonly prior?: string;
}

/** What drkit uses of a stanza's `info`. */
export interface StanzaInfo {
  readonly stanza: string;
  /** pgBackRest's status code: 0 ok, 1 missing stanza path, 2 no valid backups, … */
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Valid backups, oldest first. */
  readonly backups: readonly PgBackRestBackup[];
  /** Oldest and newest archived WAL segment (over every database id), if any. */
  readonly archive?: { readonly min: string; readonly max: string };
}

interface RawBackup {
  label?: string;
  type?: string;
  error?: boolean;
  prior?: string | null;
  timestamp?: { start?: number; stop?: number };
  archive?: { start?: string | null; stop?: string | null };
  info?: { size?: number; repository?: { size?: number } };
}
interface RawStanza {
  name?: string;
  status?: { code?: number; message?: string };
  backup?: RawBackup[];
  archive?: Array<{ min?: string | null; max?: string | null }>;
}

/**
 * Parses the JSON printed by `pgbackrest info --output=json [--stanza=…]`.
 * Backups flagged `error` are skipped (they cannot be restored). Timestamps in pgBackRest's
 * output are whole seconds since the epoch.
 * @throws NotFoundError when the stanza is absent from the output.
 */
export function parsePgBackRestInfo(json: string, stanza: string): StanzaInfo {
  const all = JSON.parse(json) as RawStanza[];
  const raw = all.find((s) => s.name === stanza);
  if (!raw) throw new NotFoundError(`pgBackRest reports no stanza '${stanza}'`);
  const backups: PgBackRestBackup[] = (raw.backup ?? [])
    .filter((b) => b.error !== true && b.label && b.timestamp?.start && b.timestamp.stop)
    .map((b) => ({
      label: b.label!,
      type: (b.type === 'diff' || b.type === 'incr' ? b.type : 'full') as PgBackRestBackup['type'],
      startedAt: new Date(b.timestamp!.start! * 1000),
      stoppedAt: new Date(b.timestamp!.stop! * 1000),
      ...(b.info?.size !== undefined ? { sizeBytes: b.info.size } : {}),
      ...(b.info?.repository?.size !== undefined ? { repoSizeBytes: b.info.repository.size } : {}),
      ...(b.archive?.start ? { walStart: b.archive.start } : {}),
      ...(b.archive?.stop ? { walStop: b.archive.stop } : {}),
      ...(b.prior ? { prior: b.prior } : {}),
    }))
    .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
  // WAL names sort lexically by (timeline, log, segment), which is what min/max need here.
  const mins = (raw.archive ?? [])
    .map((a) => a.min)
    .filter((x): x is string => !!x)
    .sort();
  const maxs = (raw.archive ?? [])
    .map((a) => a.max)
    .filter((x): x is string => !!x)
    .sort();
  const min = mins[0];
  const max = maxs[maxs.length - 1];
  return {
    stanza,
    statusCode: raw.status?.code ?? -1,
    statusMessage: raw.status?.message ?? 'unknown',
    backups,
    ...(min !== undefined && max !== undefined ? { archive: { min, max } } : {}),
  };
}

/**
 * The earliest instant a PITR can target: one second after the stop time of the oldest valid
 * backup. pgBackRest records the stop in whole seconds (truncated), and a target must lie
 * after the backup's consistency point, so the extra second keeps the bound truthful.
 * `undefined` when there is no backup (nothing can be restored).
 */
export function earliestRecoverable(info: StanzaInfo): Date | undefined {
  const oldest = info.backups[0];
  return oldest ? new Date(oldest.stoppedAt.getTime() + 1000) : undefined;
}

/**
 * Combines the earliest bound from the backups with a `latest` bound established elsewhere
 * (see `recovery-window.ts`). `undefined` when there is no backup or latest < earliest
 * (no WAL with a commit after the only backup has been archived yet).
 */
export function computeWindow(info: StanzaInfo, latest: Date): RecoverableWindow | undefined {
  const earliest = earliestRecoverable(info);
  if (!earliest || latest.getTime() < earliest.getTime()) return undefined;
  return { earliest, latest };
}

/** Formats a window for messages: `2024-05-01T10:00:01.000Z … 2024-05-01T12:00:00.000Z`. */
export function formatWindow(w: RecoverableWindow): string {
  return `${w.earliest.toISOString()} … ${w.latest.toISOString()}`;
}
