import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../adapters/redis/index.js';
import type { AppCache } from '../../../ports/cache.js';
import { runStep } from '../../../testing/run-step.js';
import { startTestRedis, type TestRedis } from '../../../testing/redis-server.js';
import { flushCacheStep, type FlushCacheState } from './flush-cache.js';

/** The shared flush-cache step on a real Redis that two services share. */
describe('flush-cache step (real redis-server, a shared cache)', () => {
  let r: TestRedis;
  let cache: RedisCache;
  let app: AppCache;

  beforeAll(async () => {
    r = await startTestRedis();
    cache = new RedisCache({ endpoint: async () => ({ host: '127.0.0.1', port: r.port }) });
    app = { cache, prefix: async () => 'shop:' };
  });
  afterAll(async () => {
    await cache?.close();
    await r?.stop();
  });

  const seed = async () => {
    const m = r.client.multi();
    for (let i = 0; i < 3000; i++) m.set(`shop:user:${i}`, 'x');
    for (let i = 0; i < 200; i++) m.set(`billing:user:${i}`, 'y'); // another service's keys
    m.set('shopping:1', 'z'); // a sibling prefix without the colon
    await m.exec();
  };
  const count = async (pattern: string) => (await r.client.keys(pattern)).length;

  it('the dry-run plan changes nothing and names SCAN/UNLINK by the prefix', async () => {
    await seed();
    const step = flushCacheStep<FlushCacheState>(app, { batch: 250 });
    const plan = await step.plan({
      state: { cachePrefix: 'shop:' },
      executionId: 'dry',
      dryRun: true,
      signal: new AbortController().signal,
      progress: () => undefined,
    });
    expect(plan.join('\n')).toMatch(/SCAN <cursor> MATCH shop:\* COUNT 250/);
    expect(await count('shop:*')).toBe(3000);
  });

  it("removes every key under the app's prefix in batches, verified, and no other service's key", async () => {
    const step = flushCacheStep<FlushCacheState>(app, { batch: 250 });
    const s = await runStep(step, { cachePrefix: 'shop:' });
    expect(s.cacheFlush?.keysDeleted).toBe(3000);
    expect(s.cacheFlush?.batches).toBeGreaterThanOrEqual(12);
    expect(s.cacheFlush?.where).toBe(`redis://127.0.0.1:${r.port}/0`);
    expect(await count('shop:*')).toBe(0);
    expect(await count('billing:*')).toBe(200);
    expect(await r.client.get('shopping:1')).toBe('z');
  });

  it('run again (a resumed run): removes only what is left, verifies, never fails on an empty prefix', async () => {
    await r.client.set('shop:user:7', 'refilled');
    const step = flushCacheStep<FlushCacheState>(app);
    const s = await runStep(step, { cachePrefix: 'shop:' });
    expect(s.cacheFlush?.keysDeleted).toBe(1);
    const again = await runStep(step, { cachePrefix: 'shop:' });
    expect(again.cacheFlush?.keysDeleted).toBe(0);
    expect(await count('billing:*')).toBe(200);
  });

  it('verify fails when a key is under the prefix again', async () => {
    const step = flushCacheStep<FlushCacheState>(app);
    await r.client.set('shop:late', 'x');
    await expect(
      step.verify!({
        state: { cachePrefix: 'shop:' },
        executionId: 'v',
        dryRun: false,
        signal: new AbortController().signal,
        progress: () => undefined,
      }),
    ).rejects.toThrow(/1 keys still under 'shop:' after the flush \(e\.g\. shop:late\)/);
  });

  it('is skipped without a cache port or without a prefix', () => {
    const ctx = (state: FlushCacheState) => ({
      state,
      executionId: 'w',
      dryRun: false,
      signal: new AbortController().signal,
      progress: () => undefined,
    });
    expect(flushCacheStep<FlushCacheState>(undefined).when!(ctx({ cachePrefix: 'shop:' }))).toBe(
      false,
    );
    expect(flushCacheStep<FlushCacheState>(app).when!(ctx({}))).toBe(false);
  });
});
