import { createClient, type RedisClientType } from 'redis';
import { DrError } from '../../engine/errors.js';
import type { Cache, CacheCapability } from '../../ports/cache.js';

/** Where a Redis server listens. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  /** @default 0 */
  readonly db?: number;
}

/** Options of {@link RedisCache}. */
export interface RedisCacheOptions {
  /**
   * The server, read when first connecting (the lab reads it from the app config, so the
   * cache follows the app wherever it points).
   */
  readonly endpoint: () => Promise<RedisEndpoint>;
  /** Connect timeout. @default 2000 */
  readonly connectTimeoutMs?: number;
}

/** Escapes the glob characters of a SCAN MATCH pattern: the prefix is matched literally. */
export function escapeGlob(prefix: string): string {
  return prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** The Redis cache (node-redis): SCAN MATCH by prefix, UNLINK in batches. */
export class RedisCache implements Cache {
  readonly kind = 'redis';
  readonly capabilities: ReadonlySet<CacheCapability> = new Set(['scan', 'unlink']);
  private client: RedisClientType | undefined;

  constructor(private readonly o: RedisCacheOptions) {}

  async where(): Promise<string> {
    const e = await this.o.endpoint();
    return `redis://${e.host}:${e.port}/${e.db ?? 0}`;
  }

  async *scanPrefix(prefix: string, opts: { count?: number } = {}): AsyncIterable<string[]> {
    const c = await this.connect();
    try {
      for await (const keys of c.scanIterator({
        MATCH: `${escapeGlob(prefix)}*`,
        COUNT: opts.count ?? 500,
      })) {
        if (keys.length) yield keys;
      }
    } catch (err) {
      throw this.translate(err, 'SCAN');
    }
  }

  async unlink(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const c = await this.connect();
    try {
      return await c.unlink([...keys]);
    } catch (err) {
      throw this.translate(err, 'UNLINK');
    }
  }

  async planFlushPrefix(prefix: string, count: number): Promise<string[]> {
    const w = await this.where();
    return [
      `redis(${w}) SCAN <cursor> MATCH ${escapeGlob(prefix)}* COUNT ${count} until the cursor is 0; UNLINK each batch of keys found (never FLUSHALL/FLUSHDB: other services may share the cache)`,
      `redis(${w}) SCAN 0 MATCH ${escapeGlob(prefix)}* again to the end: no key may be left`,
    ];
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) await c.close().catch(() => undefined);
  }

  private async connect(): Promise<RedisClientType> {
    if (this.client?.isReady) return this.client;
    const e = await this.o.endpoint();
    const c: RedisClientType = createClient({
      socket: {
        host: e.host,
        port: e.port,
        connectTimeout: this.o.connectTimeoutMs ?? 2000,
        // adapters do not loop on their own: the engine retries the step
        reconnectStrategy: false,
      },
      database: e.db ?? 0,
    });
    c.on('error', () => undefined); // surfaced by the command that fails
    try {
      await c.connect();
    } catch (err) {
      throw this.translate(err, `connect to redis://${e.host}:${e.port}`);
    }
    this.client = c;
    return c;
  }

  private translate(err: unknown, what: string): DrError {
    return new DrError('EXTERNAL', `redis ${what} failed: ${(err as Error).message}`, {
      retryable: true,
      cause: err,
      hint: 'check that the cache is running and reachable (the lab: `drkit lab up` starts it)',
    });
  }
}
