/**
 * The cache port: a key-value cache in front of the database (seed 003's "Clear caches" after
 * a restore). A cache may be shared by several services: a recovery removes only the keys
 * under its app's prefix, never the whole keyspace.
 *
 * Contract:
 * - `scanPrefix` reads only and yields every key under the prefix that exists for the whole
 *   scan (keys added or removed meanwhile may or may not be yielded), in batches of about
 *   `count` keys; the prefix is matched literally (glob characters in it are escaped).
 * - `unlink` removes the keys given (absent ones are not an error) and returns how many it
 *   removed; it is idempotent.
 * - A cache that cannot be reached is a `DrError` with code `EXTERNAL`, retryable.
 */
export interface Cache {
  /** Adapter name, e.g. `redis`. */
  readonly kind: string;
  readonly capabilities: ReadonlySet<CacheCapability>;
  /** Where the cache is, for plans and messages (`redis://127.0.0.1:6379/0`); never a password. */
  where(): Promise<string>;
  /** The keys under `prefix`, a batch at a time (capability `scan`). */
  scanPrefix(prefix: string, opts?: { readonly count?: number }): AsyncIterable<string[]>;
  /** Removes `keys` (non-blocking where the backend can: capability `unlink`). */
  unlink(keys: readonly string[]): Promise<number>;
  /** The exact commands removing every key under `prefix` in batches of `count` (for `--dry-run`). */
  planFlushPrefix(prefix: string, count: number): Promise<string[]>;
  /** Closes the connection (idempotent). */
  close(): Promise<void>;
}

/**
 * `scan`: keys can be listed by prefix without blocking the server (Redis SCAN);
 * `unlink`: deletion is freed in the background (Redis UNLINK) rather than inline (DEL).
 */
export type CacheCapability = 'scan' | 'unlink';

/** The app's cache as a recovery sees it: the store, and the prefix the app's keys live under. */
export interface AppCache {
  readonly cache: Cache;
  /**
   * The app's key prefix, read from the app's own config at run time; undefined when the app
   * has no cache configured (a recovery then has nothing to flush).
   */
  prefix(): Promise<string | undefined>;
}
