import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreTestRecord } from '../report/restore-test-record.js';
import { makeLabFixture, runCli, spawnCli, type LabFixture } from '../testing/lab-fixture.js';

/**
 * `drkit restore-test` through the built CLI on a real lab (PostgreSQL 15 + pgBackRest 2.45):
 * SUCCESSFUL on a healthy lab, FAILED with pgBackRest's reason once a data file of the newest
 * backup is corrupted in the repository, a killed run's scratch cluster reaped by the next one,
 * and no scratch cluster, directory, stanza or server left behind in any case.
 */
let fx: LabFixture;
const cli = (...args: string[]) => runCli(['--config', fx.configFile, ...args]);

/** Everything of a scratch cluster that could be left: registry, directories, stanza, servers. */
function scratchLeftovers(): string[] {
  const { layout } = fx.provider.clusters;
  const out = fx.provider.clusters
    .list()
    .filter((c) => c.id.startsWith('rt-scratch-'))
    .map((c) => `registry:${c.id}`);
  for (const d of [
    layout.clustersDir,
    path.join(layout.repoPath, 'archive'),
    path.join(layout.repoPath, 'backup'),
  ])
    for (const n of existsSync(d) ? readdirSync(d) : [])
      if (n.startsWith('rt-scratch-')) out.push(path.join(d, n));
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(fx.dir) && cmd.includes('rt-scratch-')) out.push(`process ${pid}: ${cmd}`);
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** Starts a restore test and SIGKILLs it once its scratch server runs; returns the scratch id. */
async function killMidRestore(): Promise<string> {
  const child = spawnCli(['--config', fx.configFile, 'restore-test']);
  let err = '';
  const scratch = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      // killed once its server runs and is promoted (the line before the kill names it)
      const m = /replay-wal-promote: starting '(rt-scratch-[^']+)'/.exec(err);
      if (m && /replay-wal-promote: done/.test(err)) resolve(m[1]!);
    });
    child.once('close', () => reject(new Error(`ended before the restore started: ${err}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  const left = scratchLeftovers();
  expect(left).toContain(`registry:${scratch}`);
  expect(left.some((l) => l.startsWith('process '))).toBe(true); // its server goes on
  return scratch;
}

function metric(text: string, name: string): number[] {
  return [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].map((m) =>
    Number(m[1]),
  );
}

beforeAll(async () => {
  fx = makeLabFixture();
  const up = await cli('lab', 'up');
  expect(up.code, up.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await fx?.cleanup();
});

describe('drkit restore-test on the lab', () => {
  it('GIVEN --help or a bad --target WHEN run THEN it documents itself / refuses with exit 2', async () => {
    const h = await runCli(['restore-test', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--target <target>[\s\S]*latest[\s\S]*random/);
    const bad = await cli('restore-test', '--target', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/yesterday[\s\S]*latest, random/);
    expect(scratchLeftovers()).toEqual([]);
  });

  it('GIVEN a healthy lab WHEN restore-test --json THEN SUCCESSFUL with the evidence, metrics, and nothing left', async () => {
    const r = await cli('--json', 'restore-test');
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as RestoreTestRecord & { recorded: string };
    expect(rec.result).toBe('SUCCESSFUL');
    expect(rec.source).toBe('region-a');
    expect(rec.scratchRemoved).toBe(true);
    expect(rec.restoreDurationSeconds).toBeGreaterThan(0);
    // the recovery point is the sealed end of the archive: during this run
    expect(Date.parse(rec.recoveryPoint!)).toBeGreaterThanOrEqual(Date.parse(rec.startedAt));
    expect(Date.parse(rec.recoveryPoint!)).toBeLessThanOrEqual(Date.parse(rec.finishedAt));
    const names = rec.checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['restore', 'table users', 'table orders', 'smoke login']),
    );
    expect(rec.checks.filter((c) => c.enforced && !c.ok)).toEqual([]);
    const orders = rec.checks.find((c) => c.name === 'table orders')!;
    expect(orders.detail).toMatch(/^10000 rows read in full/); // the lab's seed
    expect(existsSync(rec.recorded)).toBe(true);
    expect(readFileSync(rec.recorded.replace(/\.json$/, '.md'), 'utf8')).toContain(
      'Result: **SUCCESSFUL**',
    );
    expect(scratchLeftovers()).toEqual([]);

    const m = await cli('metrics');
    expect(m.code, m.stderr).toBe(0);
    expect(metric(m.stdout, 'drkit_restore_test_success')).toEqual([1]);
    expect(metric(m.stdout, 'drkit_restore_test_duration_seconds')).toEqual([
      rec.restoreDurationSeconds,
    ]);
    expect(metric(m.stdout, 'drkit_restore_test_last_run_timestamp_seconds')).toEqual([
      Date.parse(rec.startedAt) / 1000,
    ]);
  }, 180_000);

  it('GIVEN a run killed mid-restore WHEN lab up runs THEN it reaps the scratch cluster', async () => {
    const scratch = await killMidRestore();
    const up = await cli('lab', 'up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`removed scratch cluster ${scratch}`);
    expect(scratchLeftovers()).toEqual([]);
  }, 240_000);

  it('GIVEN a run killed mid-restore WHEN the next restore-test --target random runs THEN it reaps the scratch cluster and restores a point inside the window', async () => {
    const scratch = await killMidRestore();

    const r = await cli('--json', 'restore-test', '--target', 'random');
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as RestoreTestRecord;
    expect(rec.reaped).toEqual([scratch]);
    expect(rec.result).toBe('SUCCESSFUL');
    const t = Date.parse(rec.requestedPoint!);
    expect(t).toBeGreaterThanOrEqual(Date.parse(rec.window!.earliest));
    expect(t).toBeLessThanOrEqual(Date.parse(rec.window!.latest));
    expect(rec.recoveryPoint).toBe(rec.requestedPoint);
    expect(scratchLeftovers()).toEqual([]);
  }, 240_000);

  it('GIVEN a corrupted data file in the newest backup WHEN restore-test THEN FAILED (exit 11) with the reason, recorded, and nothing left', async () => {
    const { repoPath } = fx.provider.clusters.layout;
    const backups = path.join(repoPath, 'backup', 'region-a');
    const newest = readdirSync(backups)
      .filter((n) => /^\d{8}-\d{6}F/.test(n))
      .sort()
      .pop()!;
    // the largest relation file of the app's database in that backup
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(path.join(backups, newest, 'pg_data', 'base'));
    const victim = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = readFileSync(victim);
    bytes.fill(0xa5, bytes.length >> 1, (bytes.length >> 1) + 256);
    writeFileSync(victim, bytes);

    const r = await cli('--json', 'restore-test');
    expect(r.code, r.stderr).toBe(11);
    const doc = JSON.parse(r.stdout) as {
      error: { code: string; details: { restoreTest: RestoreTestRecord; recorded: string } };
    };
    expect(doc.error.code).toBe('VALIDATION_FAILED');
    const rec = doc.error.details.restoreTest;
    expect(rec.result).toBe('FAILED');
    expect(rec.reason).toMatch(/^restore: .*(checksum|lz4)/i);
    expect(rec.recoveryPoint).toBeUndefined();
    expect(rec.restoreDurationSeconds).toBeUndefined();
    expect(rec.scratchRemoved).toBe(true);
    expect(readFileSync(doc.error.details.recorded.replace(/\.json$/, '.md'), 'utf8')).toContain(
      'Result: **FAILED**',
    );
    expect(scratchLeftovers()).toEqual([]);

    const m = await cli('metrics');
    expect(metric(m.stdout, 'drkit_restore_test_success')).toEqual([0]);
    expect(metric(m.stdout, 'drkit_restore_test_duration_seconds')).toEqual([]); // not measured

    const page = path.join(fx.dir, 'dashboard.html');
    const d = await cli('dashboard', '--out', page);
    expect(d.code, d.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/id="restore-test-result"><span class="badge fail">FAILED<\/span>/);
    expect(html).toMatch(/<section id="restore-test">[^§]*?(checksum|lz4)[^§]*?<\/section>/i);
  }, 180_000);
});
