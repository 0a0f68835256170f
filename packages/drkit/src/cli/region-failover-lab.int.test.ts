import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppConfig } from '../lab/app-config.js';
import { connectEndpoint } from '../lab/provider.js';
import { labUpRegions, readTopology } from '../lab/regions.js';
import { labUpSearch, readLabSearch, searchUrl } from '../lab/search-lab.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';

/**
 * `drkit runbook run region-failover --provider lab` through the built CLI on a real two-region
 * lab (PostgreSQL standby, app processes, HAProxy): the registry binds the same RB-N-01 the
 * `drkit failover` command runs, with its parameters read from the lab. The lab has search
 * (`lab up --search`): RB-N-01 reindexes region B's fresh Typesense from the new primary.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
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
    await labUpSearch(fx.provider, fx.config, { baseDir: REPO, people: 300 });
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
    // the search step: RB-N-04 into region B's cluster, planned, not run
    const b = readLabSearch(fx.provider)!.servers.find((x) => x.region === 'b')!;
    expect(r.stderr).toContain(`RB-N-04 (rb-n-04`);
    expect(r.stderr).toContain(`against ${searchUrl(b)}`);
    expect(r.stderr).toMatch(/hot slice people: search\.people_hot/);
    expect((await readAppConfig(fx.provider.secrets)).search?.url).not.toBe(searchUrl(b));
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
      search: Array<{ region: string; running: boolean; aliasTarget?: string; servesApp: boolean }>;
    };
    expect(doc.frontDoor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(doc.frontDoor.activeRegion).toBe('a');
    expect(doc.frontDoor.targets.length).toBeGreaterThan(0);
    expect(doc.wan.links.map((l) => l.name)).toContain('link-a-b');
    expect(doc.orphanedDrills).toEqual([]);
    // lab up --search: region A's server indexed and serving the app, region B's fresh
    const [a, b] = ['a', 'b'].map((r) => doc.search.find((x) => x.region === r)!);
    expect(a).toMatchObject({ running: true, servesApp: true });
    expect(a!.aliasTarget).toMatch(/^people_/);
    expect(b).toMatchObject({ running: true, servesApp: false });
    expect(b!.aliasTarget).toBeUndefined();
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
    expect(r.stderr).toMatch(/reindex-search succeeded/);
    // the app searches region B's cluster, rebuilt from region B's database
    const b = readLabSearch(fx.provider)!.servers.find((x) => x.region === 'b')!;
    const app = await readAppConfig(fx.provider.secrets);
    expect(app.search?.url).toBe(searchUrl(b));
    expect(app.search?.partial).toBe(false);
    const db = await connectEndpoint(app.db);
    try {
      const want = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM people WHERE city = 'Paris' AND role = 'photographer'`,
      );
      const door = `http://127.0.0.1:${readTopology(fx.provider)!.frontDoorPort}`;
      const got = (await (
        await fetch(`${door}/search?q=*&city=Paris&role=photographer`)
      ).json()) as { found: number; partial: boolean };
      expect(got.found).toBe(Number(want.rows[0]!.n));
      expect(got.partial).toBe(false);
    } finally {
      await db.end();
    }
  });
});
