import { DrError } from '../../engine/errors.js';
import { compareUtf8 } from '../../util/utf8-order.js';
import type { HistoryEntry } from './s3-restore-plan.js';

/** S3's key order: UTF-8 bytes (not JavaScript's UTF-16 code units). */
export const compareKeys = compareUtf8;

/**
 * Regroups ListObjectVersions pages into whole keys, for planning while listing. S3 lists
 * keys in order and every entry of a key (its versions and delete markers, which a page puts
 * in two separate arrays) before the next key, but a key's entries may run across pages: the
 * last key of a page stays open until a page starts with another key or the listing ends.
 * So a delete marker that is the last entry of one page and the version it hides on the next
 * are planned together. Memory: one page plus the open key's entries.
 */
export class KeyGrouper {
  private openKey: string | undefined;
  private open: HistoryEntry[] = [];
  private lastDone: string | undefined;

  /**
   * Feeds one page's entries (any order within the page); returns the keys it completes, in
   * key order. `last` closes the listing (the open key is complete too).
   * @throws DrError when a page goes back in key order (the listing cannot be planned key by key)
   */
  feed(entries: ReadonlyArray<HistoryEntry>, last: boolean): Array<[string, HistoryEntry[]]> {
    const byKey = new Map<string, HistoryEntry[]>();
    for (const e of entries) {
      let list = byKey.get(e.key);
      if (!list) byKey.set(e.key, (list = []));
      list.push(e);
    }
    const out: Array<[string, HistoryEntry[]]> = [];
    let open: [string, HistoryEntry[]] | undefined =
      this.openKey !== undefined ? [this.openKey, this.open] : undefined;
    for (const k of [...byKey.keys()].sort(compareKeys)) {
      const h = byKey.get(k)!;
      if (open && k === open[0]) {
        open[1].push(...h);
        continue;
      }
      const prev = open?.[0] ?? this.lastDone;
      if (prev !== undefined && compareKeys(k, prev) < 0) {
        throw new DrError(
          'EXTERNAL',
          `s3:ListObjectVersions went back in key order (${k} after ${prev}): cannot plan key by key`,
        );
      }
      if (open) out.push(open);
      open = [k, h];
    }
    if (last && open) {
      out.push(open);
      open = undefined;
    }
    this.openKey = open?.[0];
    this.open = open?.[1] ?? [];
    if (out.length > 0) this.lastDone = out.at(-1)![0];
    return out;
  }
}
