import type pg from 'pg';
import type { HotSlice } from '../runbooks/search-reindex/schemas.js';

/** A hot-slice query the app answers: one city and one role of the slice. */
export interface HotQuery {
  readonly city: string;
  readonly role: string;
  readonly source: string;
}

/** The app's `GET /search` takes one city and one role: the slice's first of each. */
export function hotQueryOf(h: HotSlice): HotQuery | undefined {
  const city = h.filters.city?.[0];
  const role = h.filters.role?.[0];
  return city && role ? { city, role, source: h.source } : undefined;
}

/** One hot query through the front door, judged against the database. */
export interface HotQueryResult {
  readonly at: Date;
  /** `found` = the database's count and every returned document = its row. */
  readonly right: boolean;
  readonly partial: boolean;
  readonly why: string;
}

/**
 * `GET <frontDoor>/search?city=&role=` judged against PostgreSQL: right when the app answers
 * 200, its `found` equals the number of people with that city and role, and every document it
 * returns has its row's fields (a document of a row changed since is wrong, not right).
 */
export async function frontDoorHotQuery(
  frontDoor: string,
  q: HotQuery,
  sql: pg.Client,
): Promise<HotQueryResult> {
  const r = await fetch(
    `${frontDoor}/search?q=*&city=${encodeURIComponent(q.city)}&role=${encodeURIComponent(q.role)}`,
    { signal: AbortSignal.timeout(2000) },
  );
  const at = new Date();
  const body = (await r.json().catch(() => ({}))) as {
    found?: number;
    partial?: boolean;
    results?: Array<Record<string, unknown>>;
  };
  const partial = body.partial === true;
  if (r.status !== 200) return { at, right: false, partial, why: `HTTP ${r.status}` };
  const want = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${q.source}($1::jsonb)`, [
    JSON.stringify({ city: [q.city], role: [q.role] }),
  ]);
  const n = Number(want.rows[0]!.n);
  if (body.found !== n) return { at, right: false, partial, why: `found ${body.found}, db ${n}` };
  const docs = body.results ?? [];
  if (docs.length === 0 && n > 0) return { at, right: false, partial, why: 'no documents' };
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT id::text, name, city, role, bio, rating FROM people WHERE id = ANY($1::bigint[])`,
    [docs.map((d) => String(d.id))],
  );
  const byId = new Map(rows.rows.map((x) => [String(x.id), x]));
  for (const d of docs) {
    const row = byId.get(String(d.id));
    const same =
      row &&
      row.name === d.name &&
      row.city === d.city &&
      row.role === d.role &&
      (row.bio ?? undefined) === d.bio &&
      Number(row.rating) === d.rating;
    if (!same) return { at, right: false, partial, why: `document ${String(d.id)} differs` };
  }
  return { at, right: true, partial, why: 'ok' };
}
