import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../util/net.js';
import { makeLabFixture, type LabFixture } from '../testing/lab-fixture.js';
import { APP_DATABASE } from './lab.js';
import { labUpRegions, LINK_A_B, type RegionProvider } from './regions.js';

/**
 * The inter-region link on a real two-region lab: region B's standby streams from A through
 * HAProxy's `link-a-b`; cutting it through the runtime API disconnects the WAL receiver and
 * keeps it out while A takes writes; healing it brings streaming and a zero lag back.
 */
describe('inter-region link (real PostgreSQL, pgBackRest, HAProxy)', () => {
  let fx: LabFixture;
  let regions: RegionProvider;
  const receiver = async () =>
    (await fx.provider.clusters.query<{ status: string; sender_port: number }>('region-b', 'select status, sender_port from pg_stat_wal_receiver'))[0];
  const behind = async () => {
    const [a] = await fx.provider.clusters.query<{ lsn: string }>('region-a', 'select pg_current_wal_lsn()::text as lsn');
    const [b] = await fx.provider.clusters.query<{ d: string }>('region-b', `select pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::bigint::text as d`, [a!.lsn]);
    return Number(b!.d);
  };

  beforeAll(async () => {
    // archive_timeout at its maximum: in this test only the link may carry WAL to B.
    fx = makeLabFixture({ lab: { seed: { users: 50 }, archiveTimeoutSeconds: 3600, regions: { appTasksA: 1, appTasksB: 1 } } });
    ({ regions } = await labUpRegions(fx.provider, fx.config));
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('streams through link-a-b; a cut keeps B out while A commits; heal brings the lag back to 0', async () => {
    const link = regions.router.link(LINK_A_B);
    const port = regions.topology.links!.find((l) => l.name === LINK_A_B)!.bindPort;
    expect(await receiver()).toMatchObject({ status: 'streaming', sender_port: port });
    expect(await link.state()).toBe('up');

    await link.cut();
    expect(await link.state()).toBe('cut');
    const a = new pg.Client(fx.provider.clusters.connectionConfig('region-a', APP_DATABASE));
    await a.connect();
    try {
      // Longer than wal_retrieve_retry_interval (5 s): the WAL receiver retried and was refused.
      for (let i = 0; i < 60; i++) {
        await a.query(`INSERT INTO orders (user_id, amount_cents, client_ref) VALUES (1, $1, gen_random_uuid())`, [i]);
        await sleep(100);
      }
    } finally {
      await a.end();
    }
    expect((await receiver())?.status ?? 'none').not.toBe('streaming');
    const lag = await behind();
    console.log(`link cut: B ${lag} B behind A after 60 commits`);
    expect(lag).toBeGreaterThan(0);

    await link.heal();
    const healedAt = Date.now();
    let streaming = false;
    for (let i = 0; i < 150 && !streaming; i++) {
      streaming = (await receiver())?.status === 'streaming' && (await behind()) === 0;
      if (!streaming) await sleep(100);
    }
    console.log(`link healed: streaming and 0 B behind after ${Date.now() - healedAt} ms`);
    expect(streaming).toBe(true);
    expect((await receiver())?.sender_port).toBe(port);
  });
});
