import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServer } from '../../app/server.js';
import { readAppConfig } from '../../lab/app-config.js';
import { labUp } from '../../lab/lab.js';
import { bindLab } from '../../providers/lab/index.js';
import { withPorts, type Provider } from '../../providers/provider.js';
import { makeLabFixture, type LabFixture } from '../../testing/lab-fixture.js';
import { freePort, sleep } from '../../util/net.js';
import { measureStaleReads } from '../../validate/stale-reads.js';
import { runRunbook } from '../run.js';
import { pitrRestore } from './index.js';

/**
 * Issue 13's proof that the flush matters: the app (real, with its Redis read-through cache)
 * serves rows a restore took away until its prefix is flushed. Two labs, the same story: an
 * order written and users corrupted after the restore target, all read (and so cached)
 * through the app; RB-N-02 restores to the target; the same reads are compared with the
 * restored database.
 */
describe('RB-N-02 and the app cache (real PostgreSQL, pgBackRest, Redis, the app)', () => {
  let fx: LabFixture | undefined;
  let app: { server: http.Server; close: () => Promise<void> } | undefined;

  afterEach(async () => {
    await app?.close();
    await fx?.cleanup();
    app = undefined;
    fx = undefined;
  });

  async function scenario(flush: boolean) {
    fx = makeLabFixture({
      lab: { seed: { users: 40, ordersPerUser: 2 }, archiveTimeoutSeconds: 5 },
    });
    const f = fx;
    await labUp(f.provider, f.config);
    const cfg = await readAppConfig(f.provider.secrets);
    expect(cfg.cache?.prefix).toBe('drkit-app:');
    const port = await freePort();
    const a = createAppServer({ secrets: f.provider.secrets, region: 'a', task: 'a-1' });
    await new Promise<void>((r) => a.server.listen(port, '127.0.0.1', () => r()));
    app = {
      server: a.server,
      close: async () => {
        a.server.close();
        a.server.closeAllConnections();
        await Promise.all([a.db.close(), a.cache.close()]);
      },
    };
    const base = `http://127.0.0.1:${port}`;
    await sleep(1100);
    const [row] = await f.provider.clusters.query<{ t: Date }>(
      'region-a',
      'select clock_timestamp() as t',
    );
    const target = row!.t.toISOString();
    await sleep(1100);
    // after the target: a new order (the restore takes it away) and a bad migration of five users
    const w = await fetch(`${base}/orders`, {
      method: 'POST',
      body: JSON.stringify({ user_id: 1, amount_cents: 4242, client_ref: randomUUID() }),
    });
    expect(w.status).toBe(201);
    const orderId = Number(((await w.json()) as { order: { id: string } }).order.id);
    const c = await f.provider.connect(cfg.db);
    await c
      .query(`UPDATE users SET name = 'CORRUPTED ' || name WHERE id <= 5`)
      .finally(() => c.end());
    const ask = { users: [1, 2, 3, 4, 5], orders: [orderId] };
    // read twice: the second answer comes from the cache
    for (let i = 0; i < 2; i++)
      for (const p of [...ask.users.map((u) => `/users/${u}`), `/orders/${orderId}`])
        expect((await fetch(`${base}${p}`)).status).toBe(200);
    const before = await f.provider.connect(cfg.db);
    const warm = await measureStaleReads(base, before, ask).finally(() => before.end());
    expect(warm.cacheHits).toBe(6);
    expect(warm.stale).toEqual([]); // the cache agrees with the database it was filled from

    const lab = bindLab(f.config, f.dir);
    // without the flush: a provider that binds no cache port (RB-N-02 as it was before)
    const provider: Provider = withPorts(
      flush ? lab : { ...lab, has: (n) => n !== 'appCache' && lab.has(n) },
      {
        appTasks: () => ({
          kind: 'lab',
          list: async () => [{ id: 'a-1', address: `127.0.0.1:${port}` }],
        }),
      },
    );
    const res = await runRunbook(
      pitrRestore,
      provider,
      { source: 'region-a', target, newClusterId: 'dr-cache' },
      { yes: true },
    );
    lab.close?.();
    expect(res.state.restoredClusterId).toBe('dr-cache');
    const after = await readAppConfig(f.provider.secrets);
    expect(after.dbClusterId).toBe('dr-cache');
    const restored = await f.provider.connect(after.db);
    try {
      const gone = await restored.query('SELECT 1 FROM orders WHERE id = $1', [orderId]);
      expect(gone.rowCount).toBe(0); // the restore took the order away
      return { res, stale: await measureStaleReads(base, restored, ask), orderId };
    } finally {
      await restored.end();
    }
  }

  it('without the flush the app serves the order and the corrupted users the restore took away', async () => {
    const { res, stale, orderId } = await scenario(false);
    expect(res.summary?.timeline.find((t) => t.step === 'flush-cache')?.outcome).toBe('skipped');
    expect(stale.reads).toBe(6);
    expect(stale.cacheHits).toBe(6);
    expect(stale.stale.map((s) => s.path).sort()).toEqual(
      ['/users/1', '/users/2', '/users/3', '/users/4', '/users/5', `/orders/${orderId}`].sort(),
    );
    expect(stale.stale.find((s) => s.path === `/orders/${orderId}`)?.truth).toBe('absent');
    expect(stale.stale.find((s) => s.path === '/users/2')?.served).toMatch(/^CORRUPTED /);
  }, 240_000);

  it('with the flush (RB-N-02 on the lab provider) no read is stale', async () => {
    const { res, stale } = await scenario(true);
    expect(res.summary?.timeline.find((t) => t.step === 'flush-cache')?.outcome).toBe('succeeded');
    expect(res.state.cacheFlush?.prefix).toBe('drkit-app:');
    expect(res.state.cacheFlush?.keysDeleted).toBeGreaterThanOrEqual(6);
    expect(stale.reads).toBe(6);
    expect(stale.cacheHits).toBe(0);
    expect(stale.stale).toEqual([]);
  }, 240_000);
});
