import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyMissingError, NotFoundError, PreconditionError } from '../engine/errors.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';
import { portInUse, waitFor } from '../util/net.js';
import { readReceivedAlerts } from './alert-receiver.js';
import { startMailpit } from './mailpit-server.js';
import { labUpAlerting, prometheusAlerts, readLabAlerting, type LabAlerting } from './alerting.js';
import { APP_DATABASE, REGION_A_PRIMARY } from './lab.js';
import { readTopology } from './regions.js';

/**
 * `drkit lab up --alerting` with the real Prometheus 2.42 and Alertmanager 0.25 (Debian's
 * packages) on a real two-region lab: healthy → no alert; archiving broken → ArchiveFailing,
 * fixed → its resolution; 250 rows deleted from a core table → MassDeleteOnCoreTable; the app's
 * SMTP relay (a real mailpit) stopped → EmailProviderDown; region
 * A's primary PostgreSQL
 * stopped → Prometheus fires PrimaryDown from drkit's metrics, Alertmanager delivers it to
 * drkit's receiver, which records it with its times and hands it to the notifier;
 * `lab down` stops all three.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const RULES = path.join(REPO, 'ops/prometheus/rules.yml');

describe('lab alerting (Prometheus, Alertmanager, drkit receiver)', () => {
  let fx: LabFixture;
  let st: LabAlerting;
  const prom = () => `http://127.0.0.1:${st.prometheusPort}`;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: { seed: { users: 100 }, alerting: { rulesFile: RULES } },
      // 100 users seed 300 messages: a delete of 250 is a mass delete, the workload's none.
      posture: { massDeleteRows: 100 },
    });
    const r = await runCli(['--config', fx.configFile, '--json', 'lab', 'up', '--alerting']);
    expect(r.code, r.stderr).toBe(0);
    st = (JSON.parse(r.stdout) as { alerting: LabAlerting }).alerting;
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('GIVEN a healthy lab WHEN Prometheus has scraped and evaluated for a while THEN no alert is pending, firing or received', async () => {
    // Both targets scraped: drkit (through the receiver) and the front door's HAProxy exporter.
    await waitFor(
      async () => {
        const r = (await (await fetch(`${prom()}/api/v1/targets`)).json()) as {
          data: { activeTargets: Array<{ labels: { job: string }; health: string }> };
        };
        const up = r.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.job);
        return up.includes('drkit') && up.includes('haproxy');
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'Prometheus to scrape drkit and HAProxy' },
    );
    const q = (await (
      await fetch(`${prom()}/api/v1/query?query=${encodeURIComponent('drkit_primary_up')}`)
    ).json()) as {
      data: { result: Array<{ metric: { cluster: string }; value: [number, string] }> };
    };
    expect(q.data.result.map((x) => [x.metric.cluster, x.value[1]])).toEqual([
      [REGION_A_PRIMARY, '1'],
    ]);
    // Longer than every `for:` of the rules that could fire in the lab's first seconds.
    await new Promise((r) => setTimeout(r, 6000));
    expect(await prometheusAlerts(prom())).toEqual([]);
    expect(readReceivedAlerts(st.alertsFile)).toEqual([]);
  });

  it('GIVEN archive_command failing WHEN drkit sees it THEN ArchiveFailing is received; fixed THEN its resolution is received', async () => {
    const q = (sql: string) => fx.provider.clusters.query(REGION_A_PRIMARY, sql);
    const received = (status: 'firing' | 'resolved') => () =>
      readReceivedAlerts(st.alertsFile).some(
        (a) =>
          a.alertname === 'ArchiveFailing' &&
          a.status === status &&
          a.labels.cluster === REGION_A_PRIMARY,
      );
    await q("alter system set archive_command = 'false'");
    await q('select pg_reload_conf()');
    await q('create table if not exists alert_probe (x int)');
    await q('insert into alert_probe values (1)');
    await q('select pg_switch_wal()');
    await waitFor(received('firing'), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the receiver to record ArchiveFailing',
    });
    await q('alter system reset archive_command');
    await q('select pg_reload_conf()');
    await q('insert into alert_probe values (2)');
    await q('select pg_switch_wal()');
    await waitFor(received('resolved'), {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: 'the receiver to record ArchiveFailing resolved',
    });
    const resolved = readReceivedAlerts(st.alertsFile).find(
      (a) => a.alertname === 'ArchiveFailing' && a.status === 'resolved',
    )!;
    expect(Date.parse(resolved.endsAt!)).toBeGreaterThan(Date.parse(resolved.startsAt));
  });

  it('GIVEN 250 rows deleted from a core table at once WHEN drkit exports the counter THEN MassDeleteOnCoreTable fires and is received, naming the table', async () => {
    const before = await fetch(
      `${prom()}/api/v1/query?query=${encodeURIComponent('drkit_table_rows_deleted_total{table="messages"}')}`,
    );
    const q0 = (await before.json()) as { data: { result: Array<{ value: [number, string] }> } };
    // The counter is scraped before the delete: increase() needs a sample on each side.
    expect(q0.data.result.map((x) => x.value[1])).toEqual(['0']);
    const c = new pg.Client(fx.provider.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE));
    await c.connect();
    const deletedAt = Date.now();
    const r = await c.query(
      'DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT 250)',
    );
    await c.end(); // a backend reports its table statistics at the latest when it exits
    expect(r.rowCount).toBe(250);
    await waitFor(
      () =>
        readReceivedAlerts(st.alertsFile).some(
          (a) => a.alertname === 'MassDeleteOnCoreTable' && a.status === 'firing',
        ),
      { timeoutMs: 60_000, intervalMs: 200, what: 'the receiver to record MassDeleteOnCoreTable' },
    );
    const got = readReceivedAlerts(st.alertsFile).filter(
      (a) => a.alertname === 'MassDeleteOnCoreTable',
    );
    expect(got.map((a) => a.labels)).toEqual([
      expect.objectContaining({
        cluster: REGION_A_PRIMARY,
        table: 'messages',
        severity: 'critical',
      }),
    ]);
    console.log(
      `MassDeleteOnCoreTable: fired ${(Date.parse(got[0]!.startsAt) - deletedAt) / 1000} s after the delete, received ${(Date.parse(got[0]!.receivedAt) - deletedAt) / 1000} s after it`,
    );
    expect(readFileSync(fx.provider.paths.notificationsFile, 'utf8')).toMatch(
      /\[FIRING\] MassDeleteOnCoreTable: \d+(\.\d+)? rows deleted from messages on region-a within a minute/,
    );
  });

  it('GIVEN the app mailing through a real SMTP relay (mailpit) WHEN the relay stops THEN EmailProviderDown fires and is received, naming it', async () => {
    const mp = await startMailpit();
    let stopped = false;
    try {
      await fx.provider.secrets.put(fx.config.mail.activeSecret, {
        kind: 'smtp',
        host: mp.host,
        port: mp.smtpPort,
      });
      const target = `${mp.host}:${mp.smtpPort}`;
      const upIs = (v: string) => async () => {
        const r = (await (
          await fetch(
            `${prom()}/api/v1/query?query=${encodeURIComponent('drkit_provider_up{component="email"}')}`,
          )
        ).json()) as {
          data: { result: Array<{ metric: { target: string }; value: [number, string] }> };
        };
        return r.data.result.some((x) => x.metric.target === target && x.value[1] === v);
      };
      await waitFor(upIs('1'), { timeoutMs: 20_000, intervalMs: 200, what: 'email provider up' });
      const stoppedAt = Date.now();
      await mp.stop();
      stopped = true;
      await waitFor(
        () =>
          readReceivedAlerts(st.alertsFile).some(
            (a) => a.alertname === 'EmailProviderDown' && a.status === 'firing',
          ),
        { timeoutMs: 60_000, intervalMs: 200, what: 'the receiver to record EmailProviderDown' },
      );
      const got = readReceivedAlerts(st.alertsFile).find(
        (a) => a.alertname === 'EmailProviderDown',
      )!;
      expect(got.labels).toMatchObject({ component: 'email', target, severity: 'critical' });
      // the rule's `for: 5s` after the first scrape that saw the relay gone
      expect(Date.parse(got.startsAt)).toBeGreaterThanOrEqual(stoppedAt + 5000 - 50);
      console.log(
        `EmailProviderDown: fired ${(Date.parse(got.startsAt) - stoppedAt) / 1000} s after the relay stopped`,
      );
      expect(readFileSync(fx.provider.paths.notificationsFile, 'utf8')).toContain(
        `[FIRING] EmailProviderDown: email provider ${target} is down`,
      );
    } finally {
      if (!stopped) await mp.stop();
      // no SMTP relay named any more: the series goes (absent, not down)
      await fx.provider.secrets.put(fx.config.mail.activeSecret, { kind: 'none' });
    }
  });

  it('GIVEN the primary PostgreSQL stopped WHEN the rule holds for its `for` THEN PrimaryDown fires, Alertmanager delivers it and the receiver records its times and notifies', async () => {
    const stoppedAt = new Date();
    await fx.provider.clusters.stop(REGION_A_PRIMARY, 'immediate');
    await waitFor(
      () =>
        readReceivedAlerts(st.alertsFile).some(
          (a) => a.alertname === 'PrimaryDown' && a.status === 'firing',
        ),
      { timeoutMs: 60_000, intervalMs: 200, what: 'the receiver to record PrimaryDown' },
    );
    const got = readReceivedAlerts(st.alertsFile).find((a) => a.alertname === 'PrimaryDown')!;
    expect(got.labels).toMatchObject({ cluster: REGION_A_PRIMARY, severity: 'critical' });
    const startsAt = Date.parse(got.startsAt);
    const receivedAt = Date.parse(got.receivedAt);
    // Prometheus' clock and drkit's are the same machine's: fired after the stop (at least the
    // rule's `for: 2s` later), received after it fired.
    expect(startsAt).toBeGreaterThanOrEqual(stoppedAt.getTime() + 2000 - 50);
    expect(receivedAt).toBeGreaterThanOrEqual(startsAt - 50);
    expect(receivedAt - stoppedAt.getTime()).toBeLessThan(30_000);
    console.log(
      `PrimaryDown: fired ${(startsAt - stoppedAt.getTime()) / 1000} s after the stop, received ${(receivedAt - startsAt) / 1000} s after firing`,
    );
    // Prometheus says the same.
    const firing = (await prometheusAlerts(prom())).filter(
      (a) => a.labels.alertname === 'PrimaryDown',
    );
    expect(firing.map((a) => a.state)).toEqual(['firing']);
    // The notifier (the lab's pager file) was told.
    const status = await runCli(['--config', fx.configFile, '--json', 'lab', 'status']);
    expect(status.code, status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as {
      alerting: { alerts: Array<{ labels: { alertname: string }; state: string }> };
    };
    expect(doc.alerting.alerts).toContainEqual(
      expect.objectContaining({ labels: expect.objectContaining({ alertname: 'PrimaryDown' }) }),
    );
    expect(readFileSync(fx.provider.paths.notificationsFile, 'utf8')).toContain(
      '[FIRING] PrimaryDown: primary database region-a is down',
    );
  });

  it('GIVEN a missing rules file, a broken rule or a missing binary WHEN alerting starts THEN a clear error and the running stack keeps its config', async () => {
    const cfg = (alerting: Record<string, unknown>) => ({
      ...fx.config,
      lab: { ...fx.config.lab, alerting: { ...fx.config.lab.alerting, ...alerting } },
    });
    const up = (c: ReturnType<typeof cfg>) => labUpAlerting(fx.provider, c, { baseDir: fx.dir });
    await expect(up(cfg({ rulesFile: 'nope/rules.yml' }))).rejects.toThrow(NotFoundError);
    const bad = path.join(fx.dir, 'bad-rules.yml');
    writeFileSync(bad, 'groups:\n  - name: x\n    rules:\n      - alert: B\n        expr: up ==\n');
    await expect(up(cfg({ rulesFile: bad }))).rejects.toThrow(PreconditionError);
    await expect(up(cfg({ prometheusBin: '/nonexistent/prometheus' }))).rejects.toThrow(
      DependencyMissingError,
    );
    expect(readLabAlerting(fx.provider)?.rulesFile).toBe(RULES);
  });

  it('GIVEN the stack WHEN lab down THEN Prometheus, Alertmanager and the receiver are stopped', async () => {
    const r = await runCli(['--config', fx.configFile, 'lab', 'down']);
    expect(r.code, r.stderr).toBe(0);
    for (const port of [st.prometheusPort, st.alertmanagerPort, st.receiverPort])
      expect(await portInUse(port)).toBe(false);
    expect(readTopology(fx.provider)?.frontDoorMetricsPort).toBeGreaterThan(0);
  });
});
