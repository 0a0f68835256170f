import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../util/net.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';
import { APP_DATABASE } from './lab.js';
import { labUpRegions, LINK_A_B, LINK_B_A, type RegionProvider } from './regions.js';

/**
 * The inter-region link on a real two-region lab: region B's standby streams from A through
 * the WAN's `link-a-b` (an HAProxy process apart from the front door); stopping the front door
 * leaves the stream alone; cutting the link through the WAN's runtime API disconnects the WAL
 * receiver and keeps it out while A takes writes; healing it brings streaming and a zero lag back.
 */
describe('inter-region link (real PostgreSQL, pgBackRest, HAProxy)', () => {
  let fx: LabFixture;
  let regions: RegionProvider;
  const receiver = async () =>
    (
      await fx.provider.clusters.query<{ status: string; sender_port: number; pid: number }>(
        'region-b',
        'select status, sender_port, pid from pg_stat_wal_receiver',
      )
    )[0];
  const behind = async () => {
    const [a] = await fx.provider.clusters.query<{ lsn: string }>(
      'region-a',
      'select pg_current_wal_lsn()::text as lsn',
    );
    const [b] = await fx.provider.clusters.query<{ d: string }>(
      'region-b',
      `select pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::bigint::text as d`,
      [a!.lsn],
    );
    return Number(b!.d);
  };

  beforeAll(async () => {
    // archive_timeout at its maximum: in this test only the link may carry WAL to B.
    fx = makeLabFixture({
      lab: {
        seed: { users: 50 },
        archiveTimeoutSeconds: 3600,
        regions: { appTasksA: 1, appTasksB: 1 },
      },
    });
    ({ regions } = await labUpRegions(fx.provider, fx.config));
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  const commitOnA = async (n: number) => {
    const a = new pg.Client(fx.provider.clusters.connectionConfig('region-a', APP_DATABASE));
    await a.connect();
    try {
      for (let i = 0; i < n; i++) {
        await a.query(
          `INSERT INTO orders (user_id, amount_cents, client_ref) VALUES (1, $1, gen_random_uuid())`,
          [i],
        );
        await sleep(100);
      }
    } finally {
      await a.end();
    }
  };
  const caughtUp = async (tries: number) => {
    for (let i = 0; i < tries; i++) {
      if ((await receiver())?.status === 'streaming' && (await behind()) === 0) return true;
      await sleep(100);
    }
    return false;
  };

  it('runs the WAN as its own HAProxy: own pid, config, socket and log; the front door serves no link', async () => {
    const wan = regions.wan!;
    expect(wan.pid()).toBeDefined();
    expect(wan.pid()).not.toBe(regions.router.pid());
    expect(wan.configFile).not.toBe(regions.router.configFile);
    expect(wan.socket).not.toBe(regions.router.socket);
    expect(readFileSync(regions.router.configFile, 'utf8')).not.toContain('listen ');
    expect(readFileSync(wan.configFile, 'utf8')).toContain(`listen ${LINK_A_B}`);
    expect((await wan.status()).map((l) => [l.name, l.state])).toEqual([
      [LINK_A_B, 'up'],
      [LINK_B_A, 'up'],
    ]);
    expect(existsSync(wan.logFile)).toBe(true);
  });

  it('stopping the front door leaves replication streaming: same WAL receiver, lag back to 0', async () => {
    const before = await receiver();
    expect(before?.status).toBe('streaming');
    await regions.router.stop();
    try {
      expect(regions.router.pid()).toBeUndefined();
      expect(regions.wan!.pid()).toBeDefined();
      // Longer than wal_retrieve_retry_interval (5 s): a dropped stream would show.
      await commitOnA(60);
      const now = await receiver();
      expect(now).toMatchObject({
        status: 'streaming',
        pid: before!.pid,
        sender_port: before!.sender_port,
      });
      const t = Date.now();
      expect(await caughtUp(50)).toBe(true);
      console.log(
        `front door stopped: B streaming through the WAN, 0 B behind ${Date.now() - t} ms after 60 commits`,
      );
    } finally {
      await regions.router.start();
    }
  });

  it('streams through link-a-b; a cut keeps B out while A commits; heal brings the lag back to 0', async () => {
    const link = regions.wan!.link(LINK_A_B);
    const port = regions.topology.links!.find((l) => l.name === LINK_A_B)!.bindPort;
    expect(await receiver()).toMatchObject({ status: 'streaming', sender_port: port });
    expect(await link.state()).toBe('up');

    await link.cut();
    expect(await link.state()).toBe('cut');
    // Longer than wal_retrieve_retry_interval (5 s): the WAL receiver retried and was refused.
    await commitOnA(60);
    expect((await receiver())?.status ?? 'none').not.toBe('streaming');
    const lag = await behind();
    console.log(`link cut: B ${lag} B behind A after 60 commits`);
    expect(lag).toBeGreaterThan(0);

    await link.heal();
    const healedAt = Date.now();
    const streaming = await caughtUp(150);
    console.log(`link healed: streaming and 0 B behind after ${Date.now() - healedAt} ms`);
    expect(streaming).toBe(true);
    expect((await receiver())?.sender_port).toBe(port);
  });

  it('lab status shows the WAN; lab down stops it; lab up (again) starts it before the clusters and B streams through it', async () => {
    const cli = (...args: string[]) => runCli(['--config', fx.configFile, 'lab', ...args]);
    const status = await cli('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout + status.stderr).toMatch(
      /WAN \(pid \d+\): link-a-b 127\.0\.0\.1:\d+ -> pg-a 127\.0\.0\.1:\d+ up, link-b-a 127\.0\.0\.1:\d+ -> pg-b 127\.0\.0\.1:\d+ up/,
    );

    const down = await cli('down');
    expect(down.code, down.stderr).toBe(0);
    expect(regions.wan!.pid()).toBeUndefined();
    expect(regions.router.pid()).toBeUndefined();

    const up = await cli('up');
    expect(up.code, up.stderr).toBe(0);
    expect(regions.wan!.pid()).toBeDefined();
    expect(await caughtUp(150)).toBe(true);
    expect((await receiver())?.sender_port).toBe(
      regions.topology.links!.find((l) => l.name === LINK_A_B)!.bindPort,
    );
    expect(readFileSync(regions.wan!.logFile, 'utf8')).toMatch(/link-a-b link-a-b\/pg-a/);
  });
});
