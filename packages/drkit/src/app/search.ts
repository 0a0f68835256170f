import type { AppSearchConfig } from '../lab/app-config.js';

/** What `GET /search` answers when the app searches its search cluster. */
export interface AppSearchResult {
  readonly source: 'typesense';
  readonly alias: string;
  readonly found: number;
  /** True while a reindex has only the hot slices in: results may be missing. */
  readonly partial: boolean;
  readonly results: ReadonlyArray<Record<string, unknown>>;
}

/** A value for a Typesense `:=` filter (backquoted: cities have spaces). */
const exact = (v: string) => `\`${v.replace(/`/g, '')}\``;

/**
 * Searches people through the configured alias: `q` over name and bio, `city` and `role` as
 * exact filters. @throws Error when the search cluster does not answer 200
 */
export async function searchPeople(
  cfg: AppSearchConfig,
  params: { q: string; city?: string | null; role?: string | null },
  timeoutMs = 1000,
): Promise<AppSearchResult> {
  const alias = cfg.alias ?? 'people';
  const filters = [
    ...(params.city ? [`city:=${exact(params.city)}`] : []),
    ...(params.role ? [`role:=${exact(params.role)}`] : []),
  ];
  const qs = new URLSearchParams({
    q: params.q || '*',
    query_by: 'name,bio',
    per_page: '20',
    ...(filters.length ? { filter_by: filters.join(' && ') } : {}),
  });
  const r = await fetch(
    `${cfg.url}/collections/${encodeURIComponent(alias)}/documents/search?${qs}`,
    {
      headers: { 'X-TYPESENSE-API-KEY': cfg.apiKey },
      signal: AbortSignal.timeout(timeoutMs),
    },
  );
  if (!r.ok) throw new Error(`search unavailable: HTTP ${r.status}`);
  const body = (await r.json()) as {
    found: number;
    hits?: Array<{ document: Record<string, unknown> }>;
  };
  return {
    source: 'typesense',
    alias,
    found: body.found,
    partial: cfg.partial === true,
    results: (body.hits ?? []).map((h) => h.document),
  };
}

/** A person's row as the app's write path returns it (the `people` table's columns). */
export interface PersonRow {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly role: string;
  readonly bio: string | null;
  readonly rating: number;
}

/**
 * The `people` document of a row, field for field as RB-N-04 builds it from
 * `search.people_all()` (ops/typesense/collections.json): an absent bio is left out, not null.
 */
export function personDocument(r: PersonRow): Record<string, unknown> {
  return {
    id: String(r.id),
    name: r.name,
    city: r.city,
    role: r.role,
    ...(r.bio === null ? {} : { bio: r.bio }),
    rating: Number(r.rating),
  };
}

/**
 * The app's index write after a committed change to a person: an upsert through the alias, so
 * it lands in whatever collection the alias points at now (during a reindex: the new one once
 * the hot slices are in; before that the write fails and RB-N-04's catch-up pass, which reads
 * every row changed since the reindex began, covers it).
 * @throws Error when the search cluster does not answer 2xx
 */
export async function indexPerson(
  cfg: AppSearchConfig,
  row: PersonRow,
  timeoutMs = 1000,
): Promise<void> {
  const alias = cfg.alias ?? 'people';
  const r = await fetch(
    `${cfg.url}/collections/${encodeURIComponent(alias)}/documents?action=upsert`,
    {
      method: 'POST',
      headers: { 'X-TYPESENSE-API-KEY': cfg.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(personDocument(row)),
      signal: AbortSignal.timeout(timeoutMs),
    },
  );
  if (!r.ok)
    throw new Error(`index write failed: HTTP ${r.status} ${(await r.text()).slice(0, 120)}`);
}
