import { NotFoundError } from '../../engine/errors.js';
import type { SearchReindexDeps } from './context.js';

/**
 * Sets `search.partial` in the app's config secret, so `GET /search` says its results are
 * partial while only the hot slices are in. Only when the secret exists and has a `search`
 * section (an app that searches its database, or no app config at all: nothing to say).
 * @returns whether the flag was written
 */
export async function setSearchPartial(
  deps: SearchReindexDeps,
  partial: boolean,
): Promise<boolean> {
  if (!deps.appSecret) return false;
  const { secrets, defaultName } = deps.appSecret;
  let v: Record<string, unknown>;
  try {
    v = await secrets.get(defaultName);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
  const search = v.search;
  if (!search || typeof search !== 'object') return false;
  await secrets.put(defaultName, { ...v, search: { ...(search as object), partial } });
  return true;
}

/** What {@link setSearchPartial} would do, for `--dry-run`. */
export function planSearchPartial(deps: SearchReindexDeps, partial: boolean): string[] {
  if (!deps.appSecret) return ['no app config bound: the app is not told'];
  return [
    `${deps.appSecret.secrets.kind}: set search.partial=${partial} in ${deps.appSecret.defaultName} (when it has a search section)`,
  ];
}
