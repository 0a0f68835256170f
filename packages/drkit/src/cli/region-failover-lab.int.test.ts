import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppConfig } from '../lab/app-config.js';
import { labUpRegions } from '../lab/regions.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';

/**
 * `drkit runbook run region-failover --provider lab` through the built CLI on a real two-region
 * lab (PostgreSQL standby, app processes, HAProxy): the registry binds the same RB-N-01 the
 * `drkit failover` command runs, with its parameters read from the lab.
 */
describe('rb-n-01 --provider lab through the registry', () => {
  let fx: LabFixture;
  const run = (...extra: string[]) =>
    runCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'region-failover',
      '--provider',
      'lab',
      ...extra,
    ]);

  beforeAll(async () => {
    fx = makeLabFixture({ lab: { seed: { users: 100 }, regions: { synchronous: false } } });
    await labUpRegions(fx.provider, fx.config);
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('GIVEN a healthy two-region lab WHEN --dry-run THEN the lab plan is printed and nothing changes', async () => {
    const r = await run('--dry-run', '--param', 'force=true');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('promote region-b');
    expect(r.stderr).toMatch(/router\(haproxy\) routeTo b/);
    expect(r.stdout).toContain('nothing was changed');
    expect((await fx.provider.database.describe('region-b')).role).toBe('standby');
    expect((await readAppConfig(fx.provider.secrets)).dbClusterId).toBe('region-a');
  });

  it('GIVEN a two-region lab WHEN lab status --json THEN the front door and the WAN are in the document', async () => {
    const r = await runCli(['--config', fx.configFile, '--json', 'lab', 'status']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      frontDoor: { url: string; activeRegion: string; targets: unknown[] };
      wan: { pid: number; links: Array<{ name: string; state: string }> };
      orphanedDrills: string[];
    };
    expect(doc.frontDoor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(doc.frontDoor.activeRegion).toBe('a');
    expect(doc.frontDoor.targets.length).toBeGreaterThan(0);
    expect(doc.wan.links.map((l) => l.name)).toContain('link-a-b');
    expect(doc.orphanedDrills).toEqual([]);
  });

  it('GIVEN region A healthy WHEN run without force THEN refused; with force=true THEN region B is the primary the app points at', async () => {
    const refused = await run('--yes');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/region a is healthy/);
    expect((await fx.provider.database.describe('region-b')).role).toBe('standby');

    const r = await run('--yes', '--param', 'force=true');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/succeeded/);
    expect((await fx.provider.database.describe('region-b')).role).toBe('primary');
    expect((await readAppConfig(fx.provider.secrets)).dbClusterId).toBe('region-b');
    expect(r.stderr).toMatch(/post-checks succeeded/);
  });
});
