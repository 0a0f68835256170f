import { CapabilityError, UsageError } from '../../engine/errors.js';
import type { Functions } from '../../ports/functions.js';
import type { KeyValue, TableInfo } from '../../ports/key-value.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Secrets } from '../../ports/secrets.js';
import type { TableRestoreParams } from './params.js';

/** The ports RB-N-05 runs against. */
export interface TableRestoreDeps {
  readonly keyValue: KeyValue;
  /** Where the config secret lives; needed only with `configSecret`. */
  readonly secrets?: Secrets;
  /** The Lambda functions to repoint; needed only with `functions`. */
  readonly functions?: Functions;
  /** Tells people the outcome; the notify step is skipped without it. */
  readonly notifier?: Notifier;
}

/** The settings RB-N-05 carries from the source to the restored table and compares. */
export interface TableSettings {
  readonly pitr: boolean;
  readonly ttlAttribute?: string;
  readonly streamViewType?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** RB-N-05's state: its parameters plus what each step recorded. */
export interface TableRestoreState extends TableRestoreParams {
  newTable: string;
  backupName: string;
  /** Preflight: the source as it was before anything changed. */
  sourceArn?: string;
  sourceItemCount?: number;
  sourceSettings?: TableSettings;
  sourceWindow?: { earliest: string; latest: string };
  /** Preflight saw `newTable` free: a table of that name found later is this execution's restore. */
  newTableFreeAt?: string;
  /** Global-table replica regions (restored only with `force`). */
  replicas?: string[];
  /** Preflight: the value `configKey` held before the swap (null: absent), for the way back. */
  previousConfigValue?: string | null;
  /** Preflight: each function's `envVar` before the swap (null: unset), for the way back. */
  previousFunctionEnv?: Record<string, string | null>;
  restoredTo?: string;
  reapplied?: string[];
  restoreDurationMs?: number;
  newItemCount?: number;
  verifiedSettings?: string[];
  verifiedAt?: string;
  swappedAt?: string;
  swappedFunctions?: string[];
  backupArn?: string;
  archivedAt?: string;
  notifiedAt?: string;
}

/** Tags drkit adds itself; they are not compared between source and restore. */
export const isDrkitTag = (k: string): boolean => k.startsWith('drkit:');

/** The restore target of a run. @throws UsageError for a malformed or future instant */
export function restoreTarget(
  s: Pick<TableRestoreParams, 'target'>,
  now = Date.now(),
): Date | 'latest' {
  if (s.target === 'latest') return 'latest';
  const at = new Date(s.target);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/.test(s.target)) {
    throw new UsageError(`target=${s.target}: not 'latest' nor an ISO-8601 instant with a zone`, {
      hint: 'e.g. target=2025-11-06T12:30:00Z or target=latest',
    });
  }
  if (at.getTime() > now)
    throw new UsageError(`target=${s.target} is in the future`, {
      hint: 'use target=latest for the newest restorable state',
    });
  return at;
}

/** The settings of a table that a restore must carry over. */
export function settingsOf(t: TableInfo): TableSettings {
  return {
    pitr: t.pitr,
    ...(t.ttlAttribute ? { ttlAttribute: t.ttlAttribute } : {}),
    ...(t.streamViewType ? { streamViewType: t.streamViewType } : {}),
    tags: Object.fromEntries(Object.entries(t.tags).filter(([k]) => !isDrkitTag(k))),
  };
}

/** Differences between the source's settings and the restored table's (empty: all carried). */
export function settingsDiff(src: TableSettings, got: TableSettings): string[] {
  const out: string[] = [];
  if (src.pitr && !got.pitr) out.push('pitr: off on the new table');
  if (src.ttlAttribute !== got.ttlAttribute)
    out.push(
      `ttl: ${src.ttlAttribute ?? 'off'} on the source, ${got.ttlAttribute ?? 'off'} on the new table`,
    );
  if (src.streamViewType !== got.streamViewType)
    out.push(
      `stream: ${src.streamViewType ?? 'off'} on the source, ${got.streamViewType ?? 'off'} on the new table`,
    );
  for (const [k, v] of Object.entries(src.tags))
    if (got.tags[k] !== v)
      out.push(`tag ${k}: '${v}' on the source, '${got.tags[k] ?? '(none)'}' on the new table`);
  return out;
}

/** The port a swap target needs. @throws CapabilityError when the provider did not bind it */
export function need<T>(port: T | undefined, what: string): T {
  if (!port)
    throw new CapabilityError(`RB-N-05 needs ${what} for this swap, and the provider bound none`, {
      hint: 'run with --provider aws',
    });
  return port;
}

/** What the swap changes, one line per reference (no secret values: only the named key). */
export function swapTargets(s: TableRestoreState): string[] {
  return [
    ...(s.configSecret ? [`secret ${s.configSecret} key ${s.configKey}`] : []),
    ...(s.functions ?? []).map((f) => `lambda ${f} env ${s.envVar}`),
  ];
}
