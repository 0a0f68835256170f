import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';
import { REGION_B_DELAYED } from './delayed-standby.js';
import { LINK_A_B, readTopology, regionMove, regionProvider } from './regions.js';

/**
 * `drkit lab up --delayed-standby` on a real two-region lab (PostgreSQL 15, pgBackRest, HAProxy):
 * the delayed standby is made with the config's delay, streams through region B's link, is
 * shown by `lab status` with its window, and is never the failover target.
 */
describe('lab up --delayed-standby (real PostgreSQL, pgBackRest, HAProxy)', () => {
  let fx: LabFixture;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 50 },
        regions: { appTasksA: 1, appTasksB: 1, delayedStandby: { applyDelaySeconds: 1800 } },
      },
    });
    const up = await runCli(['--config', fx.configFile, 'lab', 'up', '--delayed-standby']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(
      /region B: delayed standby 'region-b-delayed' of 'region-a' \(recovery_min_apply_delay 1800 s\)/,
    );
  }, 300_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('is a standby of region A with the configured delay, streaming through link-a-b', async () => {
    const p = fx.provider;
    const rec = p.clusters.get(REGION_B_DELAYED);
    expect(rec.applyDelaySeconds).toBe(1800);
    expect(rec.origin).toBe('standby:region-a');
    const [s] = await p.clusters.query<{ delay: string; port: number; status: string }>(
      REGION_B_DELAYED,
      `select current_setting('recovery_min_apply_delay') as delay, sender_port as port, status from pg_stat_wal_receiver`,
    );
    expect(s).toEqual({
      delay: '30min',
      port: readTopology(p)!.links!.find((l) => l.name === LINK_A_B)!.bindPort,
      status: 'streaming',
    });
  });

  it('is never the failover target: the topology names region B’s hot standby only', async () => {
    const p = fx.provider;
    const topo = readTopology(p)!;
    expect(Object.values(topo.clusters)).not.toContain(REGION_B_DELAYED);
    expect((await regionMove(p, regionProvider(p, topo))).toCluster).toBe('region-b');
  });

  it('lab status shows its delay, its window and its replay lag; --json carries them', async () => {
    const r = await runCli(['--config', fx.configFile, 'lab', 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /delayed standby region-b-delayed of region-a: apply delay 1800 s, (protects .* … now \(nominal now − 1800 s … now\)|protects nothing: 'region-b-delayed' has replayed no commit since it started)/,
    );
    const j = await runCli(['--config', fx.configFile, '--json', 'lab', 'status']);
    const doc = JSON.parse(j.stdout) as {
      delayedStandbys: Array<{ id: string; applyDelaySeconds: number }>;
    };
    expect(doc.delayedStandbys.map((d) => [d.id, d.applyDelaySeconds])).toEqual([
      [REGION_B_DELAYED, 1800],
    ]);
  });
});
