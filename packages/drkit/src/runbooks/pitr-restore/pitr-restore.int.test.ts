import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, summarize } from '../../engine/journal.js';
import { readAppConfig, writeAppConfig } from '../../lab/app-config.js';
import { labUp } from '../../lab/lab.js';
import { makeLabFixture, runCli, spawnCli, type LabFixture } from '../../testing/lab-fixture.js';
import { sleep } from '../../util/net.js';

/** Names and sizes of every file below a directory (sorted), hashed. */
function treeDigest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(`${path.relative(dir, p)}:${statSync(p).size}\n`);
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('RB-N-02 point-in-time restore (real PostgreSQL + pgBackRest)', () => {
  let fx: LabFixture;
  let target: string;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: { seed: { users: 200, ordersPerUser: 3 }, archiveTimeoutSeconds: 5 },
    });
    await labUp(fx.provider, fx.config);
    await sleep(1100);
    const [row] = await fx.provider.clusters.query<{ t: Date }>(
      'region-a',
      'select clock_timestamp() as t',
    );
    target = row!.t.toISOString();
    await sleep(1100);
  });

  afterAll(async () => {
    await fx?.cleanup();
  });

  function journalOf(id: string) {
    return summarize(Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`)));
  }

  function stepStarts(id: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of Journal.read(path.join(fx.provider.paths.journalDir, `${id}.jsonl`))) {
      if (r.type === 'step-start') counts[r.step] = (counts[r.step] ?? 0) + 1;
    }
    return counts;
  }

  it('--dry-run prints the exact restore command and changes nothing', async () => {
    const p = fx.provider;
    const before = {
      secrets: readFileSync(p.secrets.fileOf('drkit/app'), 'utf8'),
      registry: readFileSync(p.clusters.layout.registryFile, 'utf8'),
      clusters: readdirSync(p.clusters.layout.clustersDir).sort(),
      repo: treeDigest(path.join(p.clusters.layout.repoPath, 'backup')),
      notifications: existsSync(p.paths.notificationsFile)
        ? readFileSync(p.paths.notificationsFile, 'utf8')
        : '',
      rows: await p.clusters.query('region-a', 'select 1'),
    };
    const r = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      `target=${target}`,
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pgbackrest .*--stanza=region-a .*--type=time .*restore/);
    expect(r.stderr).toContain('swap-connections [destructive]');
    expect(readFileSync(p.secrets.fileOf('drkit/app'), 'utf8')).toBe(before.secrets);
    expect(readFileSync(p.clusters.layout.registryFile, 'utf8')).toBe(before.registry);
    expect(readdirSync(p.clusters.layout.clustersDir).sort()).toEqual(before.clusters);
    expect(treeDigest(path.join(p.clusters.layout.repoPath, 'backup'))).toBe(before.repo);
    expect(
      existsSync(p.paths.notificationsFile) ? readFileSync(p.paths.notificationsFile, 'utf8') : '',
    ).toBe(before.notifications);
    expect(Journal.list(p.paths.journalDir)).toEqual([]);
  });

  it('refuses a malformed target and a target outside the window, changing nothing', async () => {
    const bad = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      'target=2026-13-01 10:00',
      '--yes',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/malformed restore target/);
    const p = fx.provider;
    const secretBefore = readFileSync(p.secrets.fileOf('drkit/app'), 'utf8');
    const notesBefore = existsSync(p.paths.notificationsFile)
      ? readFileSync(p.paths.notificationsFile, 'utf8')
      : '';
    for (const t of ['2001-01-01T00:00:00Z', '2099-01-01T00:00:00Z']) {
      const out = await runCli([
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'rb-n-02',
        '--param',
        'source=region-a',
        '--param',
        `target=${t}`,
        '--param',
        'newClusterId=never-made',
        '--yes',
      ]);
      expect(out.code, out.stderr).toBe(4);
      expect(out.stderr).toMatch(/outside the recoverable window of 'region-a': \d{4}-.* … \d{4}-/);
    }
    const unknown = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=no-such-cluster',
      '--param',
      'target=latest',
      '--yes',
    ]);
    expect(unknown.code, unknown.stderr).toBe(3);
    // Refused before the incident was declared: writes never frozen, nobody paged, nothing made.
    expect(readFileSync(p.secrets.fileOf('drkit/app'), 'utf8')).toBe(secretBefore);
    expect(
      existsSync(p.paths.notificationsFile) ? readFileSync(p.paths.notificationsFile, 'utf8') : '',
    ).toBe(notesBefore);
    expect(p.clusters.list().map((c) => c.id)).not.toContain('never-made');
  });

  it('crash between steps (SIGKILL after validate), then resume: completes, no completed step runs twice', async () => {
    const r = await runCli(
      [
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'rb-n-02',
        '--param',
        'source=region-a',
        '--param',
        `target=${target}`,
        '--param',
        'newClusterId=dr-between',
        '--yes',
      ],
      { DRKIT_CRASH_AFTER_STEP: 'validate' },
    );
    expect(r.signal).toBe('SIGKILL');
    const id = Journal.list(fx.provider.paths.journalDir).find(
      (j) => journalOf(j).params.newClusterId === 'dr-between',
    )!;
    expect(journalOf(id).outcome).toBe('incomplete');
    expect([...journalOf(id).completed]).toEqual([
      'preflight',
      'choose-path',
      'declare-incident',
      'freeze-writes',
      'restore-to-time',
      'validate',
    ]);

    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('restore-to-time already completed (journal): not run again');
    const s = journalOf(id);
    expect(s.outcome).toBe('succeeded');
    expect(Object.values(stepStarts(id)).every((n) => n === 1)).toBe(true);
    const app = await readAppConfig(fx.provider.secrets);
    expect(app.dbClusterId).toBe('dr-between');
    expect(app.global_readonly).toBe(false);
    // The restored cluster serves the app database with the seed (200 users × 3 orders).
    const c = await fx.provider.connect(app.db);
    try {
      const r = await c.query<{ n: string }>('select count(*)::text n from orders');
      expect(r.rows[0]!.n).toBe('600');
    } finally {
      await c.end();
    }
    expect(fx.provider.clusters.isRunning('region-a')).toBe(false); // retired after its backup
  });

  it('crash inside a step (SIGKILL during restore-to-time), then resume: completes on a fresh cluster id', async () => {
    const p = fx.provider;
    // Bring the source back and point the app at it again for a second incident.
    await p.clusters.start('region-a');
    const app = await readAppConfig(p.secrets);
    await writeAppConfig(p.secrets, {
      ...app,
      dbClusterId: 'region-a',
      db: { ...app.db, port: p.clusters.get('region-a').port },
      global_readonly: false,
    });
    const child = spawnCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      `target=${target}`,
      '--param',
      'newClusterId=dr-inside',
      '--yes',
    ]);
    let id: string | undefined;
    for (let i = 0; i < 600 && !id; i++) {
      await sleep(50);
      id = Journal.list(p.paths.journalDir).find((j) => {
        const recs = Journal.read(path.join(p.paths.journalDir, `${j}.jsonl`));
        return (
          recs.some((r) => r.type === 'execution-start' && r.params.newClusterId === 'dr-inside') &&
          recs.some(
            (r) =>
              r.type === 'step-progress' &&
              r.step === 'restore-to-time' &&
              r.message.startsWith('restore-files'),
          )
        );
      });
    }
    expect(id).toBeDefined();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(journalOf(id!).completed.has('restore-to-time')).toBe(false);
    await sleep(3000); // let an orphaned pgbackrest restore of the killed run finish or fail

    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id!, '--yes']);
    expect(res.code, res.stderr).toBe(0);
    const s = journalOf(id!);
    expect(s.outcome).toBe('succeeded');
    const starts = stepStarts(id!);
    expect(starts['restore-to-time']).toBe(2);
    for (const [step, n] of Object.entries(starts))
      if (step !== 'restore-to-time') expect(n, step).toBe(1);
    expect(s.state.abandonedClusters).toEqual(['dr-inside']);
    expect(s.state.restoredClusterId).toBe('dr-inside-2');
    expect((await readAppConfig(p.secrets)).dbClusterId).toBe('dr-inside-2');
  });

  it('refuses a second execution against the same source while one runs', async () => {
    const p = fx.provider;
    await p.clusters.start('region-a').catch(() => undefined);
    // 'latest': the retire steps above took full backups, and retention has expired the first one.
    const child = spawnCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      'target=latest',
      '--param',
      'newClusterId=dr-lock-a',
      '--yes',
    ]);
    for (let i = 0; i < 200; i++) {
      await sleep(50);
      const locks = path.join(p.paths.journalDir, 'locks');
      if (existsSync(locks) && readdirSync(locks).length > 0) break;
    }
    const second = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      'target=latest',
      '--param',
      'newClusterId=dr-lock-b',
      '--yes',
    ]);
    expect(second.code, second.stderr).toBe(7);
    expect(second.stderr).toMatch(
      /another execution .* is already running against database:region-a/,
    );
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(p.clusters.list().map((c) => c.id)).not.toContain('dr-lock-b');
  });

  /** Points the app at region-a (running) again, for one more incident. */
  async function freshIncident(): Promise<void> {
    const p = fx.provider;
    await p.clusters.start('region-a').catch(() => undefined);
    const app = await readAppConfig(p.secrets);
    await writeAppConfig(p.secrets, {
      ...app,
      dbClusterId: 'region-a',
      db: { ...app.db, port: p.clusters.get('region-a').port },
      global_readonly: false,
    });
  }

  const crashRun = (newClusterId: string, at: string) =>
    runCli(
      [
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'rb-n-02',
        '--param',
        'source=region-a',
        '--param',
        'target=latest',
        '--param',
        `newClusterId=${newClusterId}`,
        '--yes',
      ],
      { DRKIT_CRASH_AT: at },
    );

  const idOf = (newClusterId: string) =>
    Journal.list(fx.provider.paths.journalDir).find((j) =>
      Journal.read(path.join(fx.provider.paths.journalDir, `${j}.jsonl`)).some(
        (r) => r.type === 'execution-start' && r.params.newClusterId === newClusterId,
      ),
    )!;

  it('crash at replay-wal-promote, resume 5 s later: the cluster that promoted itself meanwhile is reused AND gets its own stanza (archiving works)', async () => {
    await freshIncident();
    const killed = await crashRun('dr-replay', 'restore-to-time:replay-wal-promote');
    expect(killed.signal).toBe('SIGKILL');
    // The kill lands as pg_ctl starts the server: it goes on without drkit and promotes itself.
    await fx.provider.clusters.start('dr-replay');
    await sleep(5000);
    const id = idOf('dr-replay');
    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    expect(res.code, res.stderr).toBe(0);
    const s = journalOf(id);
    expect(s.outcome).toBe('succeeded');
    expect(s.state.restoredClusterId).toBe('dr-replay');
    expect(res.stderr).toMatch(/re-establishing the restore's postconditions on 'dr-replay'/);
    // pgbackrest check: a WAL switch is archived into the cluster's own stanza
    await fx.provider.clusters.pgbackrest.check('dr-replay');
  });

  it('crash in retire while the backup of the old cluster runs: resume adopts that backup, takes no second one, and the backup the restore used survives', async () => {
    await freshIncident();
    const p = fx.provider;
    const usedByRestore = (await p.database.listBackups('region-a')).map((b) => b.label);
    const killed = await crashRun('dr-retire', 'retire-old-cluster:backing up');
    expect(killed.signal).toBe('SIGKILL');
    const id = idOf('dr-retire');
    // the killed run's `pgbackrest backup` outlives it (started as the step began)
    const orphan = p.clusters.pgbackrest.backup('region-a', 'full', `pre-retire-${id}`, {
      expire: false,
    });
    await sleep(300);
    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    await orphan;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/adopt/);
    const after = (await p.database.listBackups('region-a')).map((b) => b.label);
    // exactly one new full backup, and every backup that existed before is still there
    expect(after.filter((l) => !usedByRestore.includes(l))).toHaveLength(1);
    for (const l of usedByRestore) expect(after).toContain(l);
    expect(journalOf(id).state.oldClusterBackup).toBe(after[after.length - 1]);
  });

  it('resuming an execution whose process is alive is refused; the run finishes alone, its journal whole', async () => {
    await freshIncident();
    const p = fx.provider;
    const child = spawnCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      'target=latest',
      '--param',
      'newClusterId=dr-live',
      '--yes',
    ]);
    let id: string | undefined;
    for (let i = 0; i < 600 && !id; i++) {
      await sleep(50);
      id = Journal.list(p.paths.journalDir).find((j) => {
        const recs = Journal.read(path.join(p.paths.journalDir, `${j}.jsonl`));
        return (
          recs.some((r) => r.type === 'execution-start' && r.params.newClusterId === 'dr-live') &&
          recs.some((r) => r.type === 'step-end' && r.step === 'declare-incident')
        );
      });
    }
    expect(id).toBeDefined();
    const second = await runCli(['--config', fx.configFile, 'runbook', 'resume', id!, '--yes']);
    expect(second.code, second.stderr).toBe(7);
    expect(second.stderr).toMatch(/is still running \(pid \d+/);
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    const file = path.join(p.paths.journalDir, `${id!}.jsonl`);
    const inspected = Journal.inspect(file);
    expect(inspected.torn).toEqual([]);
    expect(inspected.records.some((r) => r.type === 'resume')).toBe(false);
    expect(journalOf(id!).outcome).toBe('succeeded');
    expect(stepStarts(id!)['restore-to-time']).toBe(1);
    expect(p.clusters.list().map((c) => c.id)).not.toContain('dr-live-2');
  });

  it('resume after `lab down --destroy` + `lab up` is refused: the journal is bound to the old source', async () => {
    await freshIncident();
    const killed = await crashRun('dr-stale', 'freeze-writes:after');
    expect(killed.signal).toBe('SIGKILL');
    const id = idOf('dr-stale');
    const down = await runCli(['--config', fx.configFile, 'lab', 'down', '--destroy']);
    expect(down.code, down.stderr).toBe(0);
    await labUp(fx.provider, fx.config);
    const before = readFileSync(fx.provider.secrets.fileOf('drkit/app'), 'utf8');
    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toMatch(/was started against something else/);
    expect(readFileSync(fx.provider.secrets.fileOf('drkit/app'), 'utf8')).toBe(before);
    expect(fx.provider.clusters.list().map((c) => c.id)).not.toContain('dr-stale');
  });
});
