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
