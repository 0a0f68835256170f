import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../config/schema.js';
import { measureDataLoss, measureRecovery, readWorkloadLog } from '../../drills/measure.js';
import { checkSplitBrainFence } from '../../drills/fence-check.js';
import { ConflictError, PreconditionError } from '../../engine/errors.js';
import { execute } from '../../engine/executor.js';
import { TargetLock } from '../../engine/lock.js';
import { HealthDetector } from '../../lab/health-detector.js';
import { labDown } from '../../lab/lab-down.js';
import { labProvider, type LabProvider } from '../../lab/provider.js';
import { LAB_APP_FORMAT } from '../../adapters/app-secret/index.js';
import { APP_CONFIG_SECRET } from '../../lab/app-config.js';
import { labUpRegions, regionMove, type RegionProvider } from '../../lab/regions.js';
import { startWorkloadProcess } from '../../lab/workload-process.js';
import { cutbackRunbook } from '../cutback/index.js';
import type { RegionPorts } from './context.js';
import { regionFailover, regionLockKey, type RegionState } from './index.js';
import { sleep } from '../../util/net.js';

/**
 * RB-N-01 and RB-N-08 on a real two-region lab (PostgreSQL 15 + pgBackRest standby, app task
 * processes, HAProxy), asynchronous replication, workload through the front door.
 * Needs the build (`npm run build -w packages/drkit`): app tasks and workload run from dist/.
 */
describe('region failover and cutback (real PostgreSQL, pgBackRest, HAProxy, app processes)', () => {
  let dir: string;
  let p: LabProvider;
  let r: RegionProvider;
  const config = () =>
    ConfigSchema.parse({
      stateDir: dir,
      lab: { seed: { users: 100 }, regions: { synchronous: false } },
    });
  const opts = () => ({ journalDir: p.paths.journalDir, yes: true });
  /** The region ports as the lab provider binds them, on this test's lab. */
  const ports = (): RegionPorts => ({
    regionDatabase: p.database,
    regionAppSecret: { secrets: p.secrets, format: LAB_APP_FORMAT, defaultName: APP_CONFIG_SECRET },
    notifier: p.notifier,
    router: r.router,
    compute: r.compute,
    regionTopology: { kind: 'lab', frontDoorUrl: r.router.url, move: () => regionMove(p, r) },
    sql: p.connect,
  });
  /** RB-N-01 on those ports, its parameters read from the lab as `drkit failover` reads them. */
  const failover = () => regionFailover.create(ports());
  const failoverParams = (raw: Record<string, unknown> = {}) =>
    regionFailover.normalize(raw, {
      ports: ports(),
      config: config(),
      journalDir: p.paths.journalDir,
      provider: 'lab',
    });

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/drkit-region-');
    chmodSync(dir, 0o755);
    p = labProvider(config(), dir);
    r = (await labUpRegions(p, config())).regions;
  });

  afterAll(async () => {
    if (p) await labDown(p, { destroy: true }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a failover while region A is healthy (without --force)', async () => {
    const rb = failover();
    await expect(execute(rb, await failoverParams(), opts())).rejects.toThrow(
      /region a is healthy/,
    );
    await expect(execute(rb, await failoverParams(), opts())).rejects.toBeInstanceOf(
      PreconditionError,
    );
    expect(p.clusters.isRunning('region-a')).toBe(true);
  });

  it('refuses a second failover while one is running (one execution per target)', async () => {
    const params = await failoverParams({ force: true });
    // A live holder of the lock: this test process, as another execution.
    const held = TargetLock.acquire(
      path.join(p.paths.journalDir, 'locks'),
      regionLockKey(params),
      'rb-n-01-other',
    );
    try {
      await expect(execute(failover(), params, opts())).rejects.toBeInstanceOf(ConflictError);
    } finally {
      held.release();
    }
    expect((await p.database.describe('region-b')).role).toBe('standby');
  });

  it('says clearly when HAProxy is not running, before changing anything', async () => {
    await r.router.stop();
    try {
      const err = await execute(failover(), await failoverParams({ force: true }), opts()).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PreconditionError);
      expect((err as Error).message).toMatch(/front door \(HAProxy\) is not running/);
      expect((await p.database.describe('region-b')).role).toBe('standby');
    } finally {
      await r.router.start();
    }
  });

  it('fails over under a running workload: recovers through the front door, lost writes counted exactly, old primary fenced', async () => {
    const log = path.join(dir, 'failover.jsonl');
    const w = await startWorkloadProcess({
      frontDoor: r.router.url,
      logFile: log,
      rate: 20,
      maxUserId: 100,
    });
    await sleep(2500);
    const hc = r.topology.health;
    const detector = new HealthDetector({
      targets: r.topology.slots.filter((s) => s.region === 'a').map((s) => `127.0.0.1:${s.port}`),
      intervalMs: hc.intervalMs,
      failureThreshold: hc.fall,
      timeoutMs: hc.timeoutMs,
    });
    detector.start();
    const t0 = new Date();
    r.compute.killRegion('a');
    await p.clusters.killAll('region-a');
    const incident = await detector.incident;
    const res = await execute(failover(), await failoverParams({ trigger: 'detector' }), opts());
    await sleep(4000);
    await w.stop();
    const st: RegionState = res.state;
    expect(st.decision).toBe('promote');
    expect(st.postChecks?.ok).toBe(true);
    expect((await r.router.status()).activeRegion).toBe('b');

    const records = readWorkloadLog(log);
    const rec = measureRecovery(records, t0, { cluster: 'region-b' });
    console.log(
      `detection ${(incident.declaredAt.getTime() - t0.getTime()) / 1000} s, RTO ${rec.rtoSeconds} s`,
    );
    expect(rec.rtoSeconds).toBeDefined();
    expect(rec.rtoSeconds!).toBeLessThanOrEqual(10);

    const b = await p.connect({ ...st.newEndpoint!, database: 'app' });
    const acked = records.filter((x) => x.type === 'ack').map((x) => x.ref);
    const loss = await measureDataLoss(records, b, t0, { oldCluster: 'region-a' });
    // Exactness, counted a second way: the acknowledged refs absent from the new primary.
    const onB = await b
      .query<{ ref: string }>(
        `SELECT client_ref::text AS ref FROM orders WHERE client_ref = ANY($1::uuid[])`,
        [acked],
      )
      .finally(() => b.end());
    const present = new Set(onB.rows.map((x) => x.ref));
    const lostRefs = acked.filter((ref) => !present.has(ref));
    expect(loss.acknowledged).toBe(acked.length);
    expect(loss.lost).toBe(lostRefs.length);

    // The old primary, restarted (by drkit: refused; by hand: read-only), takes no writes and
    // no front-door traffic: the split-brain check.
    const fence = await checkSplitBrainFence(p, r, 'region-a');
    expect(fence.problems).toEqual([]);
    console.log(
      `async failover: ${loss.lost} of ${loss.acknowledged} acknowledged writes lost; fence: ${fence.facts.join('; ')}`,
    );
    if (lostRefs.length > 0) {
      // Every write counted lost really was committed: it is on the old primary.
      const c = p.clusters.get('region-a');
      await p.clusters.runServer(
        [
          path.join(p.clusters.binDir, 'pg_ctl'),
          '-D',
          c.dataDir,
          '-l',
          path.join(p.clusters.clusterDir('region-a'), 'postgres.log'),
          '-w',
          '-t',
          '20',
          'start',
        ],
        30_000,
      );
      try {
        const a = await p.connect({
          host: '127.0.0.1',
          port: c.port,
          user: c.superuser,
          database: 'app',
        });
        const onA = await a
          .query<{ n: number }>(
            `SELECT count(*)::int AS n FROM orders WHERE client_ref = ANY($1::uuid[])`,
            [lostRefs],
          )
          .finally(() => a.end());
        expect(onA.rows[0]!.n).toBe(lostRefs.length);
      } finally {
        await p.clusters.stop('region-a', 'immediate');
      }
    }
  });

  it('cuts back to region A (RB-N-08) with zero acknowledged writes lost, B warm as standby again', async () => {
    const log = path.join(dir, 'cutback.jsonl');
    const w = await startWorkloadProcess({
      frontDoor: r.router.url,
      logFile: log,
      rate: 20,
      maxUserId: 100,
    });
    await sleep(2000);
    const t0 = new Date();
    const res = await execute(
      cutbackRunbook.create(ports()),
      await cutbackRunbook.normalize(
        {},
        { ports: ports(), config: config(), journalDir: p.paths.journalDir, provider: 'lab' },
      ),
      opts(),
    );
    await sleep(3000);
    await w.stop();
    expect(res.state.toCluster).toBe('region-a');
    const records = readWorkloadLog(log);
    const a = await p.connect({
      ...(await p.database.describe('region-a')).endpoint,
      database: 'app',
    });
    const loss = await measureDataLoss(records, a, new Date(0), {
      oldCluster: 'region-b',
    }).finally(() => a.end());
    console.log(
      `cutback: ${loss.lost} of ${loss.acknowledged} lost; rejoin ${JSON.stringify((res.state as RegionState).rejoin)}; RTO ${measureRecovery(records, t0, { cluster: 'region-a' }).rtoSeconds} s`,
    );
    expect(loss.acknowledged).toBeGreaterThan(50);
    expect(loss.lost).toBe(0);
    expect((await p.database.describe('region-a')).role).toBe('primary');
    expect(p.database.isFenced('region-a')).toBe(false);
    const rep = await p.database.replication('region-a');
    expect(rep.standbys.map((s) => [s.name, s.state])).toEqual([['region-b', 'streaming']]);
    const st = await r.router.status();
    expect(st.activeRegion).toBe('a');
    expect(
      st.targets.filter((t) => t.region === 'b').every((t) => t.backup && t.admin === 'ready'),
    ).toBe(true);
    expect((await r.compute.tasks('b')).filter((t) => t.running)).toHaveLength(1);
  });
});
