import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, summarize } from '../../engine/journal.js';
import { readAppConfig, writeAppConfig } from '../../lab/app-config.js';
import { labUp } from '../../lab/lab.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';
import { sleep } from '../../util/net.js';

/**
 * The crash-point harness for RB-N-02 on the lab: kill the process (SIGKILL, through the
 * engine's `DRKIT_CRASH_AT=<step>:<phase>` hook) at a point, resume, and check that the run
 * completes, that each destructive effect happened once — from the journal and from the world
 * (clusters, backups, the app's secret) — that the source keeps every backup it had, and that
 * no process of the killed run is left. CI runs the points below; `DRKIT_CRASH_SWEEP=full`
 * runs every step boundary (before and after each step) as well.
 */
const STEPS = [
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
  'notify',
];
const CI_POINTS = [
  'freeze-writes:after',
  'restore-to-time:restore-files',
  'swap-connections:before',
  'swap-connections:after',
  'retire-old-cluster:backing up',
];
const POINTS =
  process.env.DRKIT_CRASH_SWEEP === 'full'
    ? [
        ...new Set([
          ...STEPS.flatMap((s) => [`${s}:before`, `${s}:after`]),
          ...CI_POINTS,
          'restore-to-time:replay-wal-promote',
        ]),
      ]
    : CI_POINTS;

/** Processes (pid → command line) whose command line mentions `needle`. */
function processesMentioning(needle: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(needle)) out.set(Number(e), cmd);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('RB-N-02 crash points (kill, resume, effects once)', () => {
  let fx: LabFixture;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: { seed: { users: 100, ordersPerUser: 2 }, archiveTimeoutSeconds: 5 },
    });
    await labUp(fx.provider, fx.config);
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it.each(POINTS.map((p, i) => [p, i] as const))('killed at %s', async (point, i) => {
    const p = fx.provider;
    // a fresh incident on region-a (the previous point retired it)
    await p.clusters.start('region-a').catch(() => undefined);
    const app0 = await readAppConfig(p.secrets);
    await writeAppConfig(p.secrets, {
      ...app0,
      dbClusterId: 'region-a',
      db: { ...app0.db, port: p.clusters.get('region-a').port },
      global_readonly: false,
    });
    const clustersBefore = p.clusters.list().map((c) => c.id);
    const backupsBefore = (await p.database.listBackups('region-a')).map((b) => b.label);
    const newClusterId = `dr-crash-${i}`;
    const killed = await runCli(
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
      { DRKIT_CRASH_AT: point },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const id = Journal.list(p.paths.journalDir).find((j) =>
      Journal.read(path.join(p.paths.journalDir, `${j}.jsonl`)).some(
        (r) => r.type === 'execution-start' && r.params.newClusterId === newClusterId,
      ),
    )!;
    await sleep(1000); // what the killed run left running goes on meanwhile

    const res = await runCli(['--config', fx.configFile, 'runbook', 'resume', id, '--yes']);
    expect(res.code, res.stderr).toBe(0);
    const records = Journal.read(path.join(p.paths.journalDir, `${id}.jsonl`));
    const s = summarize(records);
    expect(s.outcome).toBe('succeeded');

    // the journal: every destructive step succeeded exactly once
    for (const step of ['swap-connections', 'retire-old-cluster'])
      expect(
        records.filter((r) => r.type === 'step-end' && r.step === step && r.outcome === 'succeeded')
          .length,
        step,
      ).toBe(1);
    // the world: one restored cluster in use (a half-made one may be left, stopped, named)
    const made = p.clusters
      .list()
      .map((c) => c.id)
      .filter((c) => !clustersBefore.includes(c));
    const restored = String(s.state.restoredClusterId);
    expect(made).toContain(restored);
    for (const c of made) if (c !== restored) expect(p.clusters.isRunning(c), c).toBe(false);
    expect((await readAppConfig(p.secrets)).dbClusterId).toBe(restored);
    expect((await readAppConfig(p.secrets)).global_readonly).toBe(false);
    // backups: exactly one new full of the source, and every earlier one kept
    const backupsAfter = (await p.database.listBackups('region-a')).map((b) => b.label);
    for (const b of backupsBefore) expect(backupsAfter).toContain(b);
    expect(backupsAfter.filter((b) => !backupsBefore.includes(b))).toHaveLength(1);
    // no process of the killed run is left: no drkit CLI, no pgbackrest on this lab
    const left = processesMentioning(fx.configFile);
    expect([...left.values()]).toEqual([]);
    const pgbr = [...processesMentioning('pgbackrest').values()].filter((c) =>
      c.includes(p.paths.labDir),
    );
    expect(pgbr).toEqual([]);
  });
});
