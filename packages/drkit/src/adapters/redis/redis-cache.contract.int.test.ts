import { afterAll } from 'vitest';
import { cacheContract } from '../../ports/cache.contract.js';
import { startTestRedis, type TestRedis } from '../../testing/redis-server.js';
import { freePort } from '../../util/net.js';
import { RedisCache } from './redis-cache.js';

let redis: TestRedis | undefined;
afterAll(async () => {
  await redis?.stop();
});

cacheContract('redis (Debian redis-server)', async () => {
  const r = (redis = await startTestRedis());
  const closed = await freePort();
  return {
    cache: new RedisCache({ endpoint: async () => ({ host: '127.0.0.1', port: r.port }) }),
    async seed(keys) {
      for (const k of keys) await r.client.set(k, 'v');
    },
    exists: async (k) => (await r.client.exists(k)) === 1,
    unreachable: () =>
      new RedisCache({
        endpoint: async () => ({ host: '127.0.0.1', port: closed }),
        connectTimeoutMs: 500,
      }),
  };
});
