import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown } from '../lab/lab-down.js';
import { labProvider } from '../lab/provider.js';
import { makeLabFixture, runCli, spawnCli, type LabFixture } from '../testing/lab-fixture.js';
import { sleep } from '../util/net.js';

/** Pids of processes whose command line mentions `needle` (from /proc). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until<T>(what: string, f: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * `drkit drill pitr &`, `kill -9` while the workload writes: the workload process dies with its
 * parent, and the drill's PostgreSQL (detached, so it survives) is stopped by the next
 * `drkit lab down`, which finds the drill's owner dead.
 */
describe('a drill killed with SIGKILL leaves no process behind', () => {
  let fx: LabFixture;
  let drillDir: string | undefined;

  beforeAll(() => {
    fx = makeLabFixture({ lab: { seed: { users: 100, ordersPerUser: 2 } } });
  });
  afterAll(async () => {
    if (drillDir)
      await labDown(labProvider({ ...fx.config, stateDir: drillDir }, fx.dir), {
        destroy: true,
      }).catch(() => undefined);
    await fx?.cleanup();
  });

  it('kill -9 during the workload: the workload stops at once, `lab down` stops the drill servers', async () => {
    const child = spawnCli(['--config', fx.configFile, 'drill', 'pitr']);
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const drills = path.join(fx.config.stateDir, 'drills');
    drillDir = await until(
      'the workload to write',
      () => {
        if (!existsSync(drills)) return undefined;
        const d = readdirSync(drills).map((n) => path.join(drills, n))[0];
        const log = d && path.join(d, 'workload.jsonl');
        return log && existsSync(log) && statSync(log).size > 0 ? d : undefined;
      },
      240_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${stderr}`);
    });
    expect(pidsMentioning(path.join(drillDir, 'workload.jsonl')).length).toBe(1);
    expect(pidsMentioning(drillDir).length).toBeGreaterThan(1); // postgres too
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));

    // the parent-death watch: the workload stops writing within a second or two
    await until(
      'the workload to exit',
      () =>
        pidsMentioning(path.join(drillDir!, 'workload.jsonl')).length === 0 ? true : undefined,
      5_000,
    );
    // detached servers survive the kill …
    expect(pidsMentioning(drillDir).length).toBeGreaterThan(0);
    // … until the next `lab down` reaps them
    const down = await runCli(['--config', fx.configFile, '--json', 'lab', 'down']);
    expect(down.code, down.stderr).toBe(0);
    expect((JSON.parse(down.stdout) as { reapedDrills: string[] }).reapedDrills).toEqual([
      drillDir,
    ]);
    await until(
      'the drill servers to stop',
      () => (pidsMentioning(drillDir!).length === 0 ? true : undefined),
      10_000,
    );
    // reaped once: the next `lab down` has nothing left to do
    const again = await runCli(['--config', fx.configFile, '--json', 'lab', 'down']);
    expect((JSON.parse(again.stdout) as { reapedDrills: string[] }).reapedDrills).toEqual([]);
  });
});
