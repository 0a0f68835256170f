import { createClient, type RedisClientType } from 'redis';
import type { AppCacheConfig } from '../lab/app-config.js';

/** How a read was served: from the cache, loaded and cached, without a cache, or past a failing one. */
export type CacheOutcome = 'hit' | 'miss' | 'off' | 'error';

/**
 * The app's read-through cache (Redis, node-redis): a read looks up `<prefix><key>`, and on a
 * miss loads from the database and stores the JSON for `ttlSeconds`. The endpoint and prefix
 * are the app config's `cache` section, re-read per request like the database endpoint (a
 * changed endpoint opens a new client). A cache that fails never fails the read: the database
 * answers (outcome `error`). A write invalidates the keys it changes; a restore underneath the
 * app does not — that is what the recovery's flush step is for.
 */
export class AppCache {
  private client: RedisClientType | undefined;
  private clientKey = '';
  private connecting: Promise<void> = Promise.resolve();

  /** The cached value of `key`, else `load()` stored (an undefined load is not cached). */
  async read<T>(
    cfg: AppCacheConfig | undefined,
    key: string,
    load: () => Promise<T | undefined>,
  ): Promise<{ value: T | undefined; cache: CacheOutcome }> {
    if (!cfg) return { value: await load(), cache: 'off' };
    const k = cfg.prefix + key;
    let c: RedisClientType;
    try {
      c = await this.connect(cfg);
      const hit = await c.get(k);
      if (hit !== null) return { value: JSON.parse(hit) as T, cache: 'hit' };
    } catch {
      return { value: await load(), cache: 'error' };
    }
    const value = await load();
    if (value === undefined) return { value, cache: 'miss' };
    try {
      await c.set(k, JSON.stringify(value), { EX: cfg.ttlSeconds ?? 300 });
      return { value, cache: 'miss' };
    } catch {
      return { value, cache: 'error' };
    }
  }

  /** Removes `keys` (under the prefix) after a write changed what they hold; failures are ignored (the TTL bounds them). */
  async invalidate(cfg: AppCacheConfig | undefined, keys: readonly string[]): Promise<void> {
    if (!cfg || keys.length === 0) return;
    try {
      await (await this.connect(cfg)).unlink(keys.map((k) => cfg.prefix + k));
    } catch {
      // the cache is down: nothing is served from it either
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) await c.close().catch(() => undefined);
  }

  private async connect(cfg: AppCacheConfig): Promise<RedisClientType> {
    const key = `${cfg.host}:${cfg.port}`;
    if (!this.client || key !== this.clientKey) {
      const old = this.client;
      const c: RedisClientType = createClient({
        socket: {
          host: cfg.host,
          port: cfg.port,
          connectTimeout: 500,
          reconnectStrategy: () => 200,
        },
        // a command while disconnected fails at once (the read goes to the database) instead of queueing
        disableOfflineQueue: true,
      });
      c.on('error', () => undefined);
      this.client = c;
      this.clientKey = key;
      this.connecting = c.connect().then(
        () => undefined,
        () => undefined,
      );
      void old?.close().catch(() => undefined);
    }
    const c = this.client;
    if (!c.isReady) {
      // the first connection (or a reconnect) gets a moment; a read never waits longer
      await Promise.race([this.connecting, new Promise((r) => setTimeout(r, 300))]);
      if (!c.isReady) throw new Error('cache not connected');
    }
    return c;
  }
}
