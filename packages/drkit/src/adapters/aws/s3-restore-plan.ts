import type { RestoreAction, VersionEntry } from '../../ports/object-store.js';

/** One key's history entry: an object version or a delete marker. */
export interface HistoryEntry extends VersionEntry {
  readonly marker: boolean;
}

/** Options of {@link planPrefixRestore}. */
export interface PrefixRestoreOptions {
  /** Copy instead of removing delete markers. @default false */
  readonly preferCopy?: boolean;
}

/** The result of {@link planPrefixRestore}: one action per key, sorted by key. */
export interface PrefixRestorePlan {
  readonly actions: RestoreAction[];
  readonly warnings: string[];
}

/**
 * Plans restoring every key seen in a listing to its state at `at`, a pure function of the
 * listing. Per key: the newest entry at or before `at` is the state at T. Then
 * - an object version that is still the latest (or whose content the latest already has,
 *   same ETag and size): nothing;
 * - an object version with only delete markers above it: remove those markers (undelete), or
 *   copy when `preferCopy`;
 * - an object version with newer object versions above it: copy it over the latest;
 * - a delete marker ("deleted at T") or no entry at all ("created after T"): put a delete
 *   marker unless the key is already deleted now — such keys are always listed, never
 *   dropped, so the summary accounts for them.
 *
 * S3 reports `LastModified` to the second, and lists versions and delete markers in two
 * separate arrays, so two entries of one key in the same second cannot be ordered except by
 * `IsLatest`; when such a tie decides the outcome a warning names the key.
 */
export function planPrefixRestore(
  versions: ReadonlyArray<VersionEntry>,
  deleteMarkers: ReadonlyArray<VersionEntry>,
  at: Date,
  opts: PrefixRestoreOptions = {},
): PrefixRestorePlan {
  const byKey = new Map<string, HistoryEntry[]>();
  const add = (e: VersionEntry, marker: boolean) => {
    let list = byKey.get(e.key);
    if (!list) byKey.set(e.key, (list = []));
    list.push({ ...e, marker });
  };
  for (const v of versions) add(v, false);
  for (const m of deleteMarkers) add(m, true);

  const actions: RestoreAction[] = [];
  const warnings: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const r = planKey(key, byKey.get(key)!, at, opts);
    actions.push(r.action);
    if (r.warning) warnings.push(r.warning);
  }
  return { actions, warnings };
}

/**
 * Plans one key from its whole history (every version and delete marker of the key, in any
 * order; sorted in place): the rule of {@link planPrefixRestore}, which streaming planners
 * call once per key as soon as the key's last entry has been read.
 */
export function planKey(
  key: string,
  history: HistoryEntry[],
  at: Date,
  opts: PrefixRestoreOptions = {},
): { action: RestoreAction; warning?: string; target?: HistoryEntry } {
  const t = at.getTime();
  // Newest first; at equal times the entry S3 flags as latest wins (stable sort keeps
  // listing order otherwise, which is newest first within each array).
  history.sort(
    (a, b) =>
      b.lastModified.getTime() - a.lastModified.getTime() ||
      Number(b.isLatest) - Number(a.isLatest),
  );
  const latest = history[0]!;
  const idx = history.findIndex((e) => e.lastModified.getTime() <= t);
  const atT = idx >= 0 ? history[idx] : undefined;
  const warning =
    atT && isAmbiguous(history, idx)
      ? `${key}: several versions share LastModified ${atT.lastModified.toISOString()} at the restore point; chose ${atT.marker ? 'delete marker' : 'version'} ${atT.versionId}`
      : undefined;
  return {
    action: actionFor(key, history, latest, atT, idx, opts),
    ...(warning ? { warning } : {}),
    ...(atT ? { target: atT } : {}),
  };
}

function actionFor(
  key: string,
  history: ReadonlyArray<HistoryEntry>,
  latest: HistoryEntry,
  atT: HistoryEntry | undefined,
  idx: number,
  opts: PrefixRestoreOptions,
): RestoreAction {
  if (!atT || atT.marker) {
    const reason = atT ? 'deleted-at-t' : 'created-after-t';
    return latest.marker
      ? { kind: 'none', key, reason: 'absent-at-t-and-now' }
      : { kind: 'delete', key, reason };
  }
  if (latest === atT) return { kind: 'none', key, reason: 'unchanged' };
  if (!latest.marker && sameContent(latest, atT))
    return { kind: 'none', key, reason: 'already-restored' };
  const newer = history.slice(0, idx);
  if (!opts.preferCopy && newer.every((e) => e.marker)) {
    return {
      kind: 'remove-delete-markers',
      key,
      versionId: atT.versionId,
      deleteMarkerVersionIds: newer.map((e) => e.versionId),
      reason: 'deleted-after-t',
    };
  }
  return {
    kind: 'copy',
    key,
    versionId: atT.versionId,
    reason: latest.marker ? 'deleted-after-t' : 'overwritten-after-t',
  };
}

function sameContent(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.etag !== undefined && a.etag === b.etag && a.size === b.size;
}

/** True when another entry with the same time as the chosen one would give another state. */
function isAmbiguous(history: ReadonlyArray<HistoryEntry>, idx: number): boolean {
  const chosen = history[idx]!;
  if (chosen.isLatest) return false;
  return history.some(
    (e, i) =>
      i !== idx &&
      e.lastModified.getTime() === chosen.lastModified.getTime() &&
      (e.marker !== chosen.marker || (!e.marker && !sameContent(e, chosen))),
  );
}
