import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, summarize } from '../../engine/journal.js';
import { readAppConfig } from '../../lab/app-config.js';
import { labUpRegions, regionProvider } from '../../lab/regions.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';
import { sleep } from '../../util/net.js';

/**
 * The crash-point harness for RB-N-01 and RB-N-08 on the two-region lab: fail over A → B with
 * the process SIGKILLed at a point (`DRKIT_CRASH_AT`), resume, check the failover completed
 * with every step succeeded at most once (the destructive ones exactly once) and nothing left
 * running of the killed CLI; then cut back B → A killed at the paired point, resume, check the
 * same. Each row leaves the lab as it found it.
 */
const POINTS: ReadonlyArray<readonly [string, string]> = [
  ['fence-old-primary:after', 'rebuild-target-standby:after'],
  ['promote-standby:after', 'stop-old-primary:after'],
  ['flip-routing:before', 'flip-routing:after'],
];

function cliProcesses(needle: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(cmd);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('RB-N-01, RB-N-08 and switchover crash points on the lab (kill, resume, effects once)', () => {
  let fx: LabFixture;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(['--config', fx.configFile, ...args], env);

  beforeAll(async () => {
    fx = makeLabFixture({ lab: { seed: { users: 100 }, regions: { synchronous: false } } });
    await labUpRegions(fx.provider, fx.config);
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  /** Runs `args` killed at `point`, resumes it; returns the journal of the execution. */
  async function killAndResume(args: string[], point: string) {
    const p = fx.provider;
    const before = new Set(Journal.list(p.paths.journalDir));
    const killed = await cli([...args, '--yes'], { DRKIT_CRASH_AT: point });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const id = Journal.list(p.paths.journalDir).find((j) => !before.has(j))!;
    await sleep(500);
    const res = await cli(['runbook', 'resume', id, '--provider', 'lab', '--yes']);
    expect(res.code, res.stderr).toBe(0);
    const records = Journal.read(path.join(p.paths.journalDir, `${id}.jsonl`));
    expect(summarize(records).outcome).toBe('succeeded');
    const succeeded = new Map<string, number>();
    for (const r of records)
      if (r.type === 'step-end' && r.outcome === 'succeeded')
        succeeded.set(r.step, (succeeded.get(r.step) ?? 0) + 1);
    for (const [step, n] of succeeded) expect(n, step).toBe(1);
    expect(cliProcesses(fx.configFile)).toEqual([]);
    return succeeded;
  }

  it.each(POINTS)('failover killed at %s, cutback killed at %s', async (point, backPoint) => {
    const p = fx.provider;
    expect((await readAppConfig(p.secrets)).dbClusterId).toBe('region-a');
    const fo = await killAndResume(
      ['runbook', 'run', 'rb-n-01', '--provider', 'lab', '--param', 'force=true'],
      point,
    );
    expect(fo.get('fence-old-primary')).toBe(1);
    expect((fo.get('promote-standby') ?? 0) + (fo.get('restore-latest-backup') ?? 0)).toBe(1);
    expect(fo.get('flip-routing')).toBe(1);
    expect((await p.database.describe('region-b')).role).toBe('primary');
    expect((await readAppConfig(p.secrets)).dbClusterId).toBe('region-b');
    expect((await regionProvider(p).router.status()).activeRegion).toBe('b');

    const cb = await killAndResume(['runbook', 'run', 'rb-n-08', '--provider', 'lab'], backPoint);
    expect(cb.get('stop-old-primary')).toBe(1);
    expect(cb.get('flip-routing')).toBe(1);
    expect((await p.database.describe('region-a')).role).toBe('primary');
    expect((await readAppConfig(p.secrets)).dbClusterId).toBe('region-a');
    expect((await regionProvider(p).router.status()).activeRegion).toBe('a');
  });

  // The planned switchover moves away from the region that writes: A → B, then B → A.
  it.each([
    ['stop-old-primary:after', 'wait-standby-caught-up:after'],
    ['update-db-secret:after', 'unfreeze-writes:before'],
  ] as const)('switchover killed at %s, and back killed at %s', async (there, back) => {
    const p = fx.provider;
    for (const [point, to] of [
      [there, 'b'],
      [back, 'a'],
    ] as const) {
      const done = await killAndResume(
        ['runbook', 'run', 'switchover', '--provider', 'lab'],
        point,
      );
      expect(done.get('stop-old-primary')).toBe(1);
      expect(done.get('flip-routing')).toBe(1);
      expect(done.get('unfreeze-writes')).toBe(1);
      expect((await p.database.describe(`region-${to}`)).role).toBe('primary');
      const app = await readAppConfig(p.secrets);
      expect(app.dbClusterId).toBe(`region-${to}`);
      expect(app.global_readonly).toBe(false);
      expect((await regionProvider(p).router.status()).activeRegion).toBe(to);
    }
  });
});
