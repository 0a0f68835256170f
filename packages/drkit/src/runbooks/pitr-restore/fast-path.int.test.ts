import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, summarize } from '../../engine/journal.js';
import { readAppConfig, writeAppConfig } from '../../lab/app-config.js';
import { ensureDelayedStandby, REGION_B_DELAYED } from '../../lab/delayed-standby.js';
import { labUp } from '../../lab/lab.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';
import { sleep } from '../../util/net.js';
import { snapshotChecksums, type ChecksumSnapshot } from '../../validate/suite.js';

/** The apply delay of the test's delayed standby (the config default is 1 h). */
const DELAY_S = 25;

/**
 * RB-N-02's delayed-standby fast path on real PostgreSQL 15 + pgBackRest: the lab's primary, a
 * delayed standby of it, a writer committing a tick every 150 ms into whichever cluster the app
 * config names (so every delayed standby, rebuilt ones too, has commits to replay), and
 * hand-made changes to the app tables around each target so a restore that stops early or late
 * shows in the checksums.
 */
describe('RB-N-02 fast path from a delayed standby (real PostgreSQL + pgBackRest)', () => {
  let fx: LabFixture;
  let stopWriter = false;
  let writer: Promise<void> | undefined;
  let afterBackup: string;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: { seed: { users: 150, ordersPerUser: 2 }, archiveTimeoutSeconds: 5 },
    });
    const p = fx.provider;
    await labUp(p, fx.config);
    await p.clusters.query('region-a', 'select 1');
    await appQuery(
      'create table ticks (id bigserial primary key, at timestamptz default clock_timestamp())',
    );
    await sleep(1100);
    afterBackup = (
      await appQuery<{ t: Date }>('select clock_timestamp() as t')
    )[0]!.t.toISOString();
    await ensureDelayedStandby(p, fx.config, 'region-a', { applyDelaySeconds: DELAY_S });
    writer = (async () => {
      while (!stopWriter) {
        await appQuery('insert into ticks default values').catch(() => undefined);
        await sleep(150);
      }
    })();
    await waitHealthy('region-a');
  }, 240_000);

  afterAll(async () => {
    stopWriter = true;
    await writer;
    await fx?.cleanup();
  });

  async function appQuery<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const app = await readAppConfig(fx.provider.secrets);
    const c = await fx.provider.connect(app.db);
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  }

  /** Until the delayed standby of `primary` has replayed a commit (its window is known). */
  async function waitHealthy(primary: string) {
    for (let i = 0; i < 2 * (DELAY_S + 60); i++) {
      const [s] = await fx.provider.database.delayedStandbys(primary);
      if (s?.healthy) return s;
      await sleep(500);
    }
    throw new Error(`delayed standby of ${primary} never became healthy`);
  }

  /** Checksums of the app tables now; then a target; then changes after it, and the corruption. */
  async function incident(file: string): Promise<{ target: string; expected: ChecksumSnapshot }> {
    const app = await readAppConfig(fx.provider.secrets);
    const c = await fx.provider.connect(app.db);
    try {
      const expected = await snapshotChecksums(c);
      writeFileSync(file, JSON.stringify(expected));
      const target = (await c.query<{ t: Date }>('select clock_timestamp() as t')).rows[0]!.t;
      await sleep(300);
      await c.query(
        "insert into orders (user_id, amount_cents, note) select 1, 99, 'after target' from generate_series(1, 3)",
      );
      await sleep(300);
      await c.query('delete from orders where id % 3 = 0'); // the "bad migration"
      return { target: target.toISOString(), expected };
    } finally {
      await c.end();
    }
  }

  function journal(newClusterId: string) {
    const dir = fx.provider.paths.journalDir;
    const id = Journal.list(dir).find((j) =>
      Journal.read(path.join(dir, `${j}.jsonl`)).some(
        (r) => r.type === 'execution-start' && r.params.newClusterId === newClusterId,
      ),
    )!;
    const records = Journal.read(path.join(dir, `${id}.jsonl`));
    return { id, records, summary: summarize(records) };
  }

  async function restoredSnapshot(clusterId: string): Promise<ChecksumSnapshot> {
    const c = new pg.Client(fx.provider.clusters.connectionConfig(clusterId, 'app'));
    await c.connect();
    try {
      return await snapshotChecksums(c);
    } finally {
      await c.end();
    }
  }

  async function timeline(clusterId: string): Promise<number> {
    const [r] = await fx.provider.clusters.query<{ t: string }>(
      clusterId,
      'select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) as t',
    );
    return Number.parseInt(r!.t, 16);
  }

  const rb02 = (...params: string[]) => [
    '--config',
    fx.configFile,
    'runbook',
    'run',
    'rb-n-02',
    ...params.flatMap((x) => ['--param', x]),
    '--yes',
  ];

  async function pointAppAt(clusterId: string) {
    const p = fx.provider;
    if (!p.clusters.isRunning(clusterId)) await p.clusters.start(clusterId);
    const app = await readAppConfig(p.secrets);
    await writeAppConfig(p.secrets, {
      ...app,
      dbClusterId: clusterId,
      db: { ...app.db, port: p.clusters.get(clusterId).port },
      global_readonly: false,
    });
  }

  it('a target before the delayed standby’s replay point takes the classic path, the reason journaled', async () => {
    // until the standby has applied past the target (its first commits may predate it)
    let s = await waitHealthy('region-a');
    for (let i = 0; i < 4 * DELAY_S && s.window!.earliest <= new Date(afterBackup); i++) {
      await sleep(500);
      s = await waitHealthy('region-a');
    }
    expect(s.window!.earliest.getTime()).toBeGreaterThan(Date.parse(afterBackup));
    const r = await runCli(
      rb02('source=region-a', `target=${afterBackup}`, 'newClusterId=dr-before'),
    );
    expect(r.code, r.stderr).toBe(0);
    const j = journal('dr-before');
    expect(j.summary.state.restorePath).toBe('classic');
    expect(String(j.summary.state.pathReason)).toMatch(
      /outside 'region-b-delayed''s window: it already replayed up to/,
    );
    expect(r.stderr).toMatch(/path: classic — target .* is outside 'region-b-delayed''s window/);
    // the delayed standby was not touched: still a standby of region-a
    expect(fx.provider.clusters.get(REGION_B_DELAYED).origin).toBe('standby:region-a');
    await pointAppAt('region-a');
  });

  it('a target in the window: the dry run names the fast path, the run replays the delayed standby to exactly the target, the source is untouched, a new delayed standby comes back', async () => {
    const p = fx.provider;
    await waitHealthy('region-a');
    const { target, expected } = await incident(path.join(fx.dir, 'at-target.json'));
    const dry = await runCli([...rb02('source=region-a', `target=${target}`), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(
      /path: delayed-standby — target .* lies in 'region-b-delayed''s unapplied window/,
    );
    expect(dry.stderr).toMatch(
      /recovery_target_time='.*', recovery_target_action='promote', recovery_min_apply_delay='0'/,
    );
    expect(p.clusters.get(REGION_B_DELAYED).origin).toBe('standby:region-a'); // dry run changed nothing
    const sourceBefore = await restoredSnapshot('region-a');
    const backupsBefore = (await p.database.listBackups('region-a')).map((b) => b.label);

    const r = await runCli(
      rb02(
        'source=region-a',
        `target=${target}`,
        'newClusterId=dr-fast',
        `expectedChecksums=${path.join(fx.dir, 'at-target.json')}`,
        'path=fast',
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    const { summary } = journal('dr-fast');
    expect(summary.outcome).toBe('succeeded');
    expect(summary.state.restorePath).toBe('delayed-standby');
    expect(summary.state.fallbackReason).toBeUndefined();
    expect(summary.state.delayedStandbyRebuiltAt).toEqual(expect.any(String));
    // exactly the rows at the target: not the inserts after it, not the corruption
    expect((await restoredSnapshot('dr-fast')).tables).toEqual(expected.tables);
    // one promotion: timeline 2, and nothing of it archived into the source's stanza
    const [tl] = await p.clusters.query<{ tl: string }>(
      'dr-fast',
      'select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) as tl',
    );
    expect(tl!.tl).toBe('00000002');
    const archive = path.join(p.clusters.layout.repoPath, 'archive', 'region-a');
    const histories = readdirSync(archive, { recursive: true }).filter((f) =>
      String(f).endsWith('.history'),
    );
    expect(histories).toEqual([]);
    // the source untouched (it was retired — stopped after a backup — as the classic path does)
    expect(p.clusters.isRunning('region-a')).toBe(false);
    await p.clusters.start('region-a');
    expect((await restoredSnapshot('region-a')).tables).toEqual(sourceBefore.tables);
    const backupsAfter = (await p.database.listBackups('region-a')).map((b) => b.label);
    for (const b of backupsBefore) expect(backupsAfter).toContain(b);
    // the classic path to the same target gives the same rows
    const classic = await p.database.restoreToTime({
      source: 'region-a',
      target: new Date(target),
      newClusterId: 'classic-cmp',
    });
    expect(classic.cluster.id).toBe('classic-cmp');
    expect((await restoredSnapshot('classic-cmp')).tables).toEqual(expected.tables);
    await p.clusters.destroy('classic-cmp');
    await p.clusters.stop('region-a');
    // protection is back: a delayed standby of the restored cluster, with the same delay
    const rec = p.clusters.get(REGION_B_DELAYED);
    expect(rec.origin).toBe('standby:dr-fast');
    expect(rec.applyDelaySeconds).toBe(DELAY_S);
    const s = await waitHealthy('dr-fast');
    expect(s.applyDelaySeconds).toBe(DELAY_S);
    const status = await runCli(['--config', fx.configFile, 'lab', 'status']);
    expect(status.stdout + status.stderr).toMatch(
      new RegExp(
        `delayed standby region-b-delayed of dr-fast: apply delay ${DELAY_S} s, protects .* … now .*; replay lag \\d`,
      ),
    );
    const verify = await runCli(['--config', fx.configFile, 'verify']);
    const text = verify.stdout + verify.stderr;
    expect(text).toMatch(
      new RegExp(`PASS delayed-standby\\.window .* apply delay ${DELAY_S} s, protects`),
    );
    // its by-design lag is not judged against the RPO target
    expect(text).not.toMatch(/replication\.lag .*region-b-delayed/);
  });

  it.each([
    ['stop-standby', 'dr-crash-1'],
    ['first-write', 'dr-crash-2'],
  ])(
    'killed at restore-to-time:%s, resume completes with one promotion and no paused standby left unrecorded',
    async (point, newId) => {
      const p = fx.provider;
      const source = (await readAppConfig(p.secrets)).dbClusterId;
      await waitHealthy(source);
      const file = path.join(fx.dir, `${newId}.json`);
      const sourceTimeline = await timeline(source);
      const { target, expected } = await incident(file);
      const killed = await runCli(
        rb02(
          `source=${source}`,
          `target=${target}`,
          `newClusterId=${newId}`,
          `expectedChecksums=${file}`,
        ),
        { DRKIT_CRASH_AT: `restore-to-time:${point}` },
      );
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const before = journal(newId);
      // the pause is on record before the standby is touched further
      const progress = before.records
        .filter((r) => r.type === 'step-progress')
        .map((r) => String((r as { message: string }).message));
      expect(progress.some((m) => m.startsWith('pause-replay: done'))).toBe(true);
      const res = await runCli([
        '--config',
        fx.configFile,
        'runbook',
        'resume',
        before.id,
        '--yes',
      ]);
      expect(res.code, res.stderr).toBe(0);
      const after = journal(newId);
      expect(after.summary.outcome).toBe('succeeded');
      expect(after.summary.state.restorePath).toBe('delayed-standby');
      expect((await restoredSnapshot(newId)).tables).toEqual(expected.tables);
      // promoted exactly once: its timeline is its source's + 1, and it writes
      expect(await timeline(newId)).toBe(sourceTimeline + 1);
      const [rec] = await p.clusters.query<{ rec: boolean }>(
        newId,
        'select pg_is_in_recovery() as rec',
      );
      expect(rec!.rec).toBe(false);
      expect(existsSync(path.join(p.clusters.clusterDir(newId), 'drkit-fast-restore.json'))).toBe(
        false,
      );
      expect(p.clusters.get(REGION_B_DELAYED).origin).toBe(`standby:${newId}`);
      expect((await p.database.delayedStandbys(newId))[0]?.paused).toBe(false);
    },
  );

  it('a delayed standby lagging beyond its window (replay paused by hand): unhealthy, verify fails it, the path is classic', async () => {
    const p = fx.provider;
    const source = (await readAppConfig(p.secrets)).dbClusterId;
    await waitHealthy(source);
    await p.clusters.query(REGION_B_DELAYED, 'select pg_wal_replay_pause()');
    try {
      await sleep((DELAY_S + 5 + 3) * 1000); // its delay + the grace (max(5 s, 10 %)) + margin
      const [s] = await p.database.delayedStandbys(source);
      expect(s?.healthy).toBe(false);
      expect(s?.paused).toBe(true);
      expect(s?.problem).toMatch(
        new RegExp(`replays \\d+ s behind, beyond its ${DELAY_S} s window`),
      );
      const now = (await appQuery<{ t: Date }>('select clock_timestamp() as t'))[0]!.t;
      await sleep(1100);
      const dry = await runCli([
        ...rb02(`source=${source}`, `target=${now.toISOString()}`, 'newClusterId=dr-lag'),
        '--dry-run',
      ]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toMatch(
        new RegExp(
          `path: classic — delayed standby 'region-b-delayed' is unusable: .*beyond its ${DELAY_S} s window`,
        ),
      );
      const verify = await runCli(['--config', fx.configFile, 'verify']);
      expect(verify.stdout + verify.stderr).toMatch(
        /FAIL delayed-standby\.window .*\[replay PAUSED\]/,
      );
    } finally {
      await p.clusters.query(REGION_B_DELAYED, 'select pg_wal_replay_resume()');
    }
  });

  it('a delayed standby that is down: the classic path, the reason journaled', async () => {
    const p = fx.provider;
    const source = (await readAppConfig(p.secrets)).dbClusterId;
    await p.clusters.stop(REGION_B_DELAYED);
    const now = (await appQuery<{ t: Date }>('select clock_timestamp() as t'))[0]!.t;
    await sleep(1100);
    const journalsBefore = Journal.list(p.paths.journalDir).length;
    const fast = await runCli(
      rb02(`source=${source}`, `target=${now.toISOString()}`, 'newClusterId=dr-never', 'path=fast'),
    );
    expect(fast.code, fast.stderr).toBe(4);
    expect(fast.stderr).toMatch(
      /path=fast requested but: delayed standby 'region-b-delayed' is unusable: 'region-b-delayed' is not running/,
    );
    expect(p.clusters.list().some((c) => c.id === 'dr-never')).toBe(false);
    void journalsBefore;
    const r = await runCli(
      rb02(`source=${source}`, `target=${now.toISOString()}`, 'newClusterId=dr-down'),
    );
    expect(r.code, r.stderr).toBe(0);
    const { summary } = journal('dr-down');
    expect(summary.state.restorePath).toBe('classic');
    expect(String(summary.state.pathReason)).toMatch(
      /'region-b-delayed' is unusable: 'region-b-delayed' is not running/,
    );
  });
});
