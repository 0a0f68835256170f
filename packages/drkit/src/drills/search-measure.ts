import type pg from 'pg';
import type { SearchDocument, SearchIndex } from '../ports/search-index.js';
import { toDocument } from '../runbooks/search-reindex/context.js';
import type { SourcedCollection } from '../runbooks/search-reindex/schemas.js';

/** How the index compares with the database, row by row. */
export interface IndexComparison {
  readonly compared: number;
  /** Rows with no document. */
  readonly missing: readonly string[];
  /** Documents whose fields differ from their row, the row last changed before `cutoff`. */
  readonly stale: readonly string[];
  /** Documents that differ, the row changed at or after `cutoff` (after the last read). */
  readonly changedAfterCutoff: readonly string[];
  /** Documents with no row. */
  readonly extra: readonly string[];
}

/**
 * Compares every row of each collection's source with its document through the alias: every
 * id and every field. A difference on a row changed at or after `cutoff` (the catch-up read)
 * is counted apart: no reindex can have seen it.
 */
export async function compareIndex(
  index: SearchIndex,
  client: pg.Client,
  collections: readonly SourcedCollection[],
  cutoff: Date,
  /** The collection to read for an alias (RB-N-04's new collection). @default the alias */
  collectionOf: (alias: string) => string = (n) => n,
): Promise<IndexComparison> {
  const missing: string[] = [];
  const stale: string[] = [];
  const after: string[] = [];
  const extra: string[] = [];
  let compared = 0;
  for (const c of collections) {
    const docs = new Map<string, SearchDocument>();
    for await (const d of index.exportDocuments(collectionOf(c.name))) docs.set(d.id, d);
    const rows = await client.query<Record<string, unknown>>(`SELECT * FROM ${c.source}()`);
    for (const r of rows.rows) {
      compared++;
      const want = toDocument(c, r);
      const got = docs.get(want.id);
      docs.delete(want.id);
      if (!got) missing.push(`${c.name}/${want.id}`);
      else if (!sameDocument(want, got)) {
        const changed = r.updated_at instanceof Date && r.updated_at >= cutoff;
        (changed ? after : stale).push(`${c.name}/${want.id}`);
      }
    }
    for (const id of docs.keys()) extra.push(`${c.name}/${id}`);
  }
  return { compared, missing, stale, changedAfterCutoff: after, extra };
}

function sameDocument(a: SearchDocument, b: SearchDocument): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}
