import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Journal, summarize } from '../../engine/journal.js';
import { bindLab } from '../../providers/lab/index.js';
import { runStep } from '../../testing/run-step.js';
import { fullRecovery, type FullRecoveryState } from './index.js';
import { readAppConfig } from '../../lab/app-config.js';
import { readLabCache, redisPid } from '../../lab/cache-lab.js';
import { labDown } from '../../lab/lab-down.js';
import { labUpRegions } from '../../lab/regions.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';
import { portInUse, sleep } from '../../util/net.js';

/**
 * `drkit runbook run full-recovery` on the lab (real PostgreSQL + pgBackRest, the app tasks,
 * Redis, the HAProxy front door): RB-N-02's restore, the cache flushed by prefix, health of
 * the front door and every task, smoke tests and an autocannon load test through the front
 * door, notify.
 */
describe('full-recovery runbook on the lab', () => {
  let fx: LabFixture;
  let frontDoor: string;
  let target: string;
  let lostOrder: number;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 60, ordersPerUser: 2 },
        archiveTimeoutSeconds: 5,
        regions: { standby: false, appTasksA: 2, appTasksB: 0 },
      },
    });
    frontDoor = (await labUpRegions(fx.provider, fx.config)).regions.router.url;
    await sleep(1100);
    const [row] = await fx.provider.clusters.query<{ t: Date }>(
      'region-a',
      'select clock_timestamp() as t',
    );
    target = row!.t.toISOString();
    await sleep(1100);
    // after the target: an order the restore takes away, read (so cached) through the front door
    const w = await fetch(`${frontDoor}/orders`, {
      method: 'POST',
      body: JSON.stringify({ user_id: 2, amount_cents: 777, client_ref: randomUUID() }),
    });
    expect(w.status).toBe(201);
    lostOrder = Number(((await w.json()) as { order: { id: string } }).order.id);
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${frontDoor}/orders/${lostOrder}`)).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await fx?.cleanup();
  });

  const run = (...extra: string[]) =>
    runCli([
      '--config',
      fx.configFile,
      '--json',
      'runbook',
      'run',
      'full-recovery',
      '--param',
      'source=region-a',
      '--param',
      `target=${target}`,
      '--param',
      'newClusterId=dr-full',
      ...extra,
    ]);

  it('refuses a threshold out of range before anything runs', async () => {
    const r = await run('--param', 'maxErrorRate=2', '--yes');
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/--param maxErrorRate: .*(1|less)/i);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
  });

  it('lab status shows the cache: its port, pid and the app prefix', async () => {
    const st = await runCli(['--config', fx.configFile, '--json', 'lab', 'status']);
    expect(st.code, st.stderr).toBe(0);
    const doc = JSON.parse(st.stdout) as { cache?: { port: number; pid: number; prefix: string } };
    expect(doc.cache).toMatchObject({
      port: readLabCache(fx.provider)!.port,
      prefix: 'drkit-app:',
    });
    expect(doc.cache?.pid).toBe(redisPid(fx.provider));
  });

  it('--dry-run prints every phase and changes nothing', async () => {
    const secret = readFileSync(fx.provider.secrets.fileOf('drkit/app'), 'utf8');
    const r = await run('--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const cache = readLabCache(fx.provider)!;
    expect(r.stderr).toMatch(/pgbackrest .*--stanza=region-a .*--type=time .*restore/);
    expect(r.stderr).toContain(
      `redis(redis://127.0.0.1:${cache.port}/0) SCAN <cursor> MATCH drkit-app:* COUNT 500`,
    );
    expect(r.stderr).not.toMatch(/FLUSHALL .*\n.*FLUSHALL/);
    expect(r.stderr).toContain(`GET ${frontDoor}/healthz`);
    expect(r.stderr).toMatch(/autocannon .* -c 10 -d 5/);
    expect(readFileSync(fx.provider.secrets.fileOf('drkit/app'), 'utf8')).toBe(secret);
    expect(Journal.list(fx.provider.paths.journalDir)).toEqual([]);
    // the order the restore will take away is still cached
    const body = (await (await fetch(`${frontDoor}/orders/${lostOrder}`)).json()) as {
      cache?: string;
    };
    expect(body.cache).toBe('hit');
  });

  it('restores, flushes the cache, passes health, smoke and load through the front door, notifies', async () => {
    const r = await run('--yes');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      state: {
        restoredClusterId: string;
        cacheFlush: { keysDeleted: number; prefix: string };
        health: { serving: Array<{ what: string; cluster: string }> };
        smoke: { results: Array<{ name: string; ok: boolean }> };
        load: { requests: number; errors: number; errorRate: number; p99Ms: number };
      };
      timeline: Array<{ step: string; outcome: string }>;
    };
    const s = doc.state;
    expect(doc.timeline.map((t) => t.step)).toEqual([
      'preflight',
      'choose-path',
      'declare-incident',
      'freeze-writes',
      'restore-to-time',
      'validate',
      'carry-credentials',
      'swap-connections',
      'flush-cache',
      'unfreeze-writes',
      'rebuild-delayed-standby',
      'retire-old-cluster',
      'check-health',
      'smoke-test',
      'load-test',
      'notify',
    ]);
    // no delayed standby in this lab: the classic path ran, nothing to rebuild
    expect(
      doc.timeline.filter((t) => t.outcome !== 'succeeded').map((t) => [t.step, t.outcome]),
    ).toEqual([['rebuild-delayed-standby', 'skipped']]);
    expect(s.restoredClusterId).toBe('dr-full');
    expect((await readAppConfig(fx.provider.secrets)).dbClusterId).toBe('dr-full');
    expect(s.cacheFlush.prefix).toBe('drkit-app:');
    expect(s.cacheFlush.keysDeleted).toBeGreaterThanOrEqual(1);
    expect(s.health.serving.map((x) => x.what)).toEqual(['front door', 'task a-1', 'task a-2']);
    expect(s.health.serving.every((x) => x.cluster === 'dr-full')).toBe(true);
    expect(s.smoke.results.every((x) => x.ok)).toBe(true);
    expect(s.load.requests).toBeGreaterThan(50);
    expect(s.load.errorRate).toBeLessThanOrEqual(0.01);
    expect(s.load.p99Ms).toBeLessThanOrEqual(500);
    // the order the restore took away is no longer served
    expect((await fetch(`${frontDoor}/orders/${lostOrder}`)).status).toBe(404);
    const notes = existsSync(fx.provider.paths.notificationsFile)
      ? readFileSync(fx.provider.paths.notificationsFile, 'utf8')
      : '';
    expect(notes).toMatch(/service recovered on 'dr-full'/);
    expect(notes).toMatch(/keys under 'drkit-app:' flushed/);
  }, 300_000);

  it('a load test over its latency threshold fails its step and says why', async () => {
    const lab = bindLab(fx.config, fx.dir);
    try {
      const step = fullRecovery.bind(lab).steps.find((x) => x.id === 'load-test')!;
      const [id] = Journal.list(fx.provider.paths.journalDir);
      const state = summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)))
        .state as unknown as FullRecoveryState;
      await expect(runStep(step, { ...state, loadSeconds: 1, maxP99Ms: 0.001 })).rejects.toThrow(
        /load test over its thresholds: p99 [\d.]+ ms > 0.001 ms/,
      );
    } finally {
      lab.close?.();
    }
  }, 60_000);

  it('lab down stops the cache (its own redis-server, not a system one)', async () => {
    const port = readLabCache(fx.provider)!.port;
    expect(await portInUse(port)).toBe(true);
    await labDown(fx.provider);
    expect(redisPid(fx.provider)).toBeUndefined();
    expect(await portInUse(port)).toBe(false);
  }, 60_000);
});
