import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRoleRotation } from '../adapters/postgres-roles/index.js';
import { Journal, summarize } from '../engine/journal.js';
import { APP_CONFIG_SECRET, readAppConfig } from '../lab/app-config.js';
import { labUpRegions, regionProvider } from '../lab/regions.js';
import { startWorkloadProcess } from '../lab/workload-process.js';
import { readWorkloadLog } from './measure.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';
import { sleep } from '../util/net.js';
import { breachLabConfig, runBreachScenario } from './breach-drill.js';
import { drillTimeline } from './drill-options.js';

/**
 * The security breach on one lab (real HAProxy front door, PostgreSQL + pgBackRest, app tasks
 * as processes): first the security-breach runbook from the CLI killed inside its rotation
 * (after the app was pointed at the new role, before the old one was revoked) and resumed;
 * then the whole drill scenario on the same lab.
 */
describe('security breach on the lab', () => {
  let fx: LabFixture;
  let roles: PgRoleRotation;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 100, ordersPerUser: 2 },
        archiveTimeoutSeconds: 5,
        regions: { standby: false, appTasksA: 2, appTasksB: 1 },
      },
    });
    const config = breachLabConfig(fx.config, fx.config.stateDir);
    await labUpRegions(fx.provider, config);
    const regions = regionProvider(fx.provider);
    roles = new PgRoleRotation({
      secrets: fx.provider.secrets,
      appSecretName: APP_CONFIG_SECRET,
      admin: fx.provider.connect,
      tasks: () => regions.compute.appTasks(),
    });
    expect(await roles.adopt()).toBe('drkit_app_1');
  }, 180_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  const canLogin = async (role: string): Promise<boolean> => {
    const r = await fx.provider.connect(await readAppConfig(fx.provider.secrets).then((c) => c.db));
    try {
      return (
        (
          await r.query<{ ok: boolean }>(`SELECT rolcanlogin ok FROM pg_roles WHERE rolname = $1`, [
            role,
          ])
        ).rows[0]?.ok === true
      );
    } finally {
      await r.end();
    }
  };

  it('a kill inside the rotation: resume finishes it, revokes the old role once, the app keeps working', async () => {
    const p = fx.provider;
    const regions = regionProvider(p);
    const tasks = await regions.compute.appTasks();
    const logFile = path.join(fx.dir, 'crash-workload.jsonl');
    const workload = await startWorkloadProcess({
      frontDoor: tasks.map((t) => `http://${t.address}`).join(','),
      logFile,
      rate: 20,
      maxUserId: 100,
    });
    let id: string;
    const before = await readAppConfig(p.secrets);
    try {
      // --dry-run on the lab: every call printed, nothing changed
      const dry = await runCli([
        '--config',
        fx.configFile,
        'runbook',
        'run',
        'sb',
        '--provider',
        'lab',
        '--dry-run',
      ]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout + dry.stderr).toMatch(/set map .*api-isolation\.map api isolated/);
      expect(dry.stdout + dry.stderr).toContain('CREATE ROLE drkit_app_<n+1>');
      expect(dry.stdout + dry.stderr).toContain('DELETE FROM sessions');
      expect(await readAppConfig(p.secrets)).toEqual(before);
      expect((await fetch(`${regions.router.url}/users/1`)).status).toBe(200);
      await sleep(1000);
      const killed = await runCli(
        [
          '--config',
          fx.configFile,
          'runbook',
          'run',
          'security-breach',
          '--provider',
          'lab',
          '--yes',
        ],
        { DRKIT_CRASH_AT: 'rotate-credentials:rotation drkit/app: app pointed' },
      );
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      id = Journal.list(p.paths.journalDir).find(
        (j) =>
          summarize(Journal.read(path.join(p.paths.journalDir, `${j}.jsonl`))).runbook ===
          'security-breach',
      )!;
      // killed after the app took the new role, before the old one was revoked
      expect((await readAppConfig(p.secrets)).db.user).toBe('drkit_app_2');
      expect(await canLogin('drkit_app_1')).toBe(true);
      expect(await roles.revocations()).toEqual([]);

      const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout + res.stderr).toContain('finishing the rotation to drkit_app_2');
      await sleep(1000);
    } finally {
      await workload.stop();
    }
    const s = summarize(Journal.read(path.join(p.paths.journalDir, `${id}.jsonl`)));
    expect(s.outcome).toBe('succeeded');
    // revoked once; finishing again (a second resume) revokes nothing more
    expect((await roles.revocations()).map((r) => r.role)).toEqual(['drkit_app_1']);
    await roles.finishRotation(APP_CONFIG_SECRET);
    expect((await roles.revocations()).map((r) => r.role)).toEqual(['drkit_app_1']);
    expect(await canLogin('drkit_app_1')).toBe(false);
    expect(await canLogin('drkit_app_2')).toBe(true);
    // the old credential (role and its real password) is refused by the server itself
    const old = before.db as typeof before.db & { password: string };
    expect(old.user).toBe('drkit_app_1');
    const stale = new pg.Client({ ...old, connectionTimeoutMillis: 3000 });
    stale.on('error', () => undefined);
    await expect(stale.connect()).rejects.toThrow(/not permitted to log in/);
    // the app works: every task on the new role, a write through each
    for (const t of tasks) {
      const h = (await (await fetch(`http://${t.address}/healthz`)).json()) as {
        config: { dbUser: string };
      };
      expect(h.config.dbUser, t.id).toBe('drkit_app_2');
      const w = await fetch(`http://${t.address}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 1, amount_cents: 1, client_ref: crypto.randomUUID() }),
      });
      expect(w.status, t.id).toBe(201);
    }
    // no write failed across the kill and the resume
    const log = readWorkloadLog(logFile);
    expect(log.filter((r) => r.type === 'ack').length).toBeGreaterThan(20);
    expect(log.filter((r) => r.type === 'fail' || r.type === 'refused')).toEqual([]);
    // the API stayed isolated through the kill; the way back opens it
    const router = regionProvider(p).router;
    expect((await fetch(`${router.url}/users/1`)).status).toBe(503);
    expect((await fetch(`${router.url}/healthz`)).status).toBe(200);
    const back = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'security-breach-restore-access',
      '--param',
      `fromExecution=${id}`,
      '--yes',
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect((await fetch(`${router.url}/users/1`)).status).toBe(200);
  }, 180_000);

  it('a kill right after the pending role was recorded: resume creates it, points the app, revokes the old one once', async () => {
    const p = fx.provider;
    const killed = await runCli(
      ['--config', fx.configFile, 'runbook', 'run', 'sb', '--provider', 'lab', '--yes'],
      { DRKIT_CRASH_AT: 'rotate-credentials:rotation drkit/app: pending' },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const id = Journal.list(p.paths.journalDir)
      .filter(
        (j) =>
          summarize(Journal.read(path.join(p.paths.journalDir, `${j}.jsonl`))).runbook ===
          'security-breach',
      )
      .sort()
      .at(-1)!;
    // nothing made yet but the record: the app still on its role, which still logs in
    expect((await readAppConfig(p.secrets)).db.user).toBe('drkit_app_2');
    expect(await canLogin('drkit_app_2')).toBe(true);
    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    expect(res.code, res.stderr).toBe(0);
    expect((await readAppConfig(p.secrets)).db.user).toBe('drkit_app_3');
    expect((await roles.revocations()).map((r) => r.role)).toEqual(['drkit_app_1', 'drkit_app_2']);
    expect(await canLogin('drkit_app_2')).toBe(false);
    const back = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'security-breach-restore-access',
      '--param',
      `fromExecution=${id}`,
      '--yes',
    ]);
    expect(back.code, back.stderr).toBe(0);
  }, 120_000);

  it('the drill: isolated, rotated with zero failed writes, no valid session, data and access restored', async () => {
    const drillDir = path.join(fx.dir, 'drill');
    mkdirSync(drillDir, { recursive: true });
    const config = breachLabConfig(fx.config, fx.config.stateDir);
    const report = await runBreachScenario({
      config,
      baseDir: fx.dir,
      p: fx.provider,
      drillDir,
      startedAt: new Date(),
      timeline: drillTimeline(() => undefined),
      sessions: 10,
      warmupSeconds: 2,
      sustainSeconds: 1,
    });
    const f = report.facts;
    expect(f, JSON.stringify(f, null, 2)).toMatchObject({
      'check.isolated': true,
      'check.healthKept': true,
      'check.statusNotIsolated': true,
      'check.appWorksOnRestore': true,
      apiProbesServedAfterIsolateStep: 0,
      healthProbesFailedWhileIsolated: 0,
      writesFailedDuringRotation: 0,
      stolenCredentialLogsInAfterRotation: false,
      attackerConnectionAliveAfterRotation: false,
      stolenCredentialLogsInOnRestoredCluster: false,
      sessionsPresented: 11,
      sessionsValidAfterSignOut: 0,
      sessionsValidAfterRestore: 0,
      usersTamperedAfterRestore: 0,
    });
    expect(f.sessionsIssuedBeforeBreach).toBe(10);
    expect(Number(f.usersTamperedByBreach)).toBeGreaterThan(0);
    expect(Number(f.writesAcknowledgedDuringRotation)).toBeGreaterThan(0);
    expect(Number(f.timeToIsolateSeconds)).toBeGreaterThan(0);
    expect(Number(f.timeToRestoreAccessSeconds)).toBeGreaterThan(0);
    expect(String(f.credentialsCarriedToRestore)).toMatch(
      /^drkit_app_4 created; revoked drkit_app_3/,
    );
    expect(report.outcome).toBe('passed');
    // the API serves again through the front door, on the restored cluster
    const router = regionProvider(fx.provider).router;
    const r = await fetch(`${router.url}/users/1`);
    expect(r.status).toBe(200);
  }, 240_000);
});
