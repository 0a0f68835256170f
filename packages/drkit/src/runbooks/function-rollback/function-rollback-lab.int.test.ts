import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appReleases, labUpRegions, type RegionProvider } from '../../lab/regions.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist');

/**
 * Seed 003's "Lambda rollback tested" on the lab: the sample app's builds published as
 * releases, `live` moved to a bad second build (tasks restarted on it), then
 * `drkit runbook run function-rollback --param functions=app` moves `live` back and every task
 * runs the previous build again (its /healthz says which).
 */
describe('function-rollback on the lab (the app tasks restarted on the previous build)', () => {
  let fx: LabFixture;
  let r: RegionProvider;
  let tmp: string;

  const releasesOnTasks = async () =>
    await Promise.all(
      r.topology.slots
        .filter((s) => s.region === 'a')
        .map(async (s) => {
          const h = await fetch(`http://127.0.0.1:${s.port}/healthz`);
          return ((await h.json()) as { release?: string }).release;
        }),
    );

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 20, ordersPerUser: 1 },
        regions: { standby: false, appTasksA: 2, appTasksB: 0 },
      },
    });
    r = (await labUpRegions(fx.provider, fx.config)).regions;
    const rel = appReleases(fx.provider);
    const first = await runCli([
      '--config',
      fx.configFile,
      '--json',
      'lab',
      'release',
      '--description',
      'good build',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      version: '1',
      live: '1',
      description: 'good build',
    });
    await rel.pointAlias('app', 'live', '1');
    // a second build with different code: the bad release
    tmp = mkdtempSync(path.join(tmpdir(), 'drkit-rel-'));
    cpSync(dist, tmp, { recursive: true });
    appendFileSync(path.join(tmp, 'app', 'server.js'), '\n// release 2\n');
    const bad = await runCli([
      '--config',
      fx.configFile,
      'lab',
      'release',
      '--from',
      path.join(tmp, 'app'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from .*: no app\/server-main\.js in it/);
    const second = await runCli([
      '--config',
      fx.configFile,
      '--json',
      'lab',
      'release',
      '--from',
      tmp,
    ]);
    expect(second.code, second.stderr).toBe(0);
    const v2 = JSON.parse(second.stdout) as { version: string; codeSha256: string; live: string };
    expect(v2).toMatchObject({ version: '2', live: '1' }); // publishing moves nothing
    expect(v2.codeSha256).not.toBe((await rel.listVersions('app'))[0]!.codeSha256);
    await rel.pointAlias('app', 'live', '2');
    expect(await releasesOnTasks()).toEqual(['2', '2']);
  }, 240_000);

  afterAll(async () => {
    await fx?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const run = (...extra: string[]) =>
    runCli([
      '--config',
      fx.configFile,
      '--json',
      'runbook',
      'run',
      'function-rollback',
      '--param',
      'functions=app',
      ...extra,
    ]);

  it('refuses a release that was never published, naming the published ones, changing nothing', async () => {
    const out = await run('--param', 'version=9', '--yes');
    expect(out.code).toBe(3);
    expect(out.stdout + out.stderr).toMatch(/app has no published version 9/);
    expect(out.stdout + out.stderr).toMatch(/published versions: 1, 2/);
    expect(await releasesOnTasks()).toEqual(['2', '2']);
  });

  it('--dry-run names the alias move and the task restarts, and restarts nothing', async () => {
    const out = await run('--dry-run');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/releases\.json aliases\.live = <the version resolved above>/);
    expect(out.stderr).toMatch(
      /restart each running app task on .*\/releases\/v<the version resolved above>\/dist\/app\/server-main\.js/,
    );
    expect(await releasesOnTasks()).toEqual(['2', '2']);
  });

  it('moves live back to release 1: every task restarted on the previous build, verified by code hash', async () => {
    const out = await run('--yes');
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(out.stdout) as {
      state: { moves: Array<{ function: string; from: string; to: string }>; moved: string[] };
      timeline: Array<{ step: string; outcome: string }>;
    };
    expect(doc.state.moves).toEqual([
      expect.objectContaining({ function: 'app', from: '2', to: '1' }),
    ]);
    expect(doc.state.moved).toEqual(['app']);
    expect(doc.timeline.map((t) => `${t.step}:${t.outcome}`)).toEqual([
      'resolve-targets:succeeded',
      'point-aliases:succeeded',
      'verify-aliases:succeeded',
      'notify:succeeded',
    ]);
    expect(await releasesOnTasks()).toEqual(['1', '1']);
    // through the front door too
    const h = (await (await fetch(`${r.router.url}/healthz`)).json()) as { release?: string };
    expect(h.release).toBe('1');
    const rel = JSON.parse(
      readFileSync(path.join(fx.provider.paths.labDir, 'releases', 'releases.json'), 'utf8'),
    ) as { aliases: Record<string, string> };
    expect(rel.aliases.live).toBe('1');
  }, 120_000);
});
