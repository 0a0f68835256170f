import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../engine/journal.js';
import { readAppConfig, writeAppConfig } from '../lab/app-config.js';
import { labUpRegions } from '../lab/regions.js';
import { canary, canaryHits, filesUnder, Printed } from '../testing/canary.js';
import { makeLabFixture, runCli, type LabFixture } from '../testing/lab-fixture.js';

/**
 * The secrets canary (issue 15) for the region runbooks on the two-region lab, through the
 * built CLI: the app's secret (`drkit/app`) holds a canary as the `password` inside `db` and
 * in a top-level `dsn` URL; then `drkit failover --force` (dry, dry --json, real), `drkit
 * cutback` (dry, dry --json, real --json), `drkit switchover --dry-run --json`, `runbook
 * executions`, `runbook resume` of the finished failover, `lab status` (it reads the secret).
 * Nothing printed and no file under the lab's directory may hold it but the secrets store
 * itself (holding it is its job): the journals, locks, notifications log, lab state files, and
 * also the app tasks' and HAProxy's logs, PostgreSQL's data directories and pgBackRest's logs
 * and repository (read as they are: what an operator's grep would see). The swaps keep both
 * fields. RB-N-02 on the lab has its own canary (runbooks/pitr-restore/secrets-canary.int.test.ts).
 */
describe('secrets canary: the region runbooks on the two-region lab', () => {
  let fx: LabFixture;
  const printed = new Printed();
  const password = canary('lab-app-db-password');
  const dsn = `postgresql://app:${canary('lab-app-dsn')}@127.0.0.1:5432/app`;
  const cli = async (label: string, ...args: string[]) =>
    printed.keep(label, await runCli(['--config', fx.configFile, ...args]));

  beforeAll(async () => {
    fx = makeLabFixture({ lab: { seed: { users: 100 }, regions: { synchronous: false } } });
    await labUpRegions(fx.provider, fx.config);
    const app = await readAppConfig(fx.provider.secrets);
    await writeAppConfig(fx.provider.secrets, {
      ...app,
      dsn,
      db: { ...app.db, password },
    } as typeof app);
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  const appSecret = async () =>
    (await readAppConfig(fx.provider.secrets)) as unknown as {
      dbClusterId: string;
      dsn: string;
      db: { password?: string };
    };

  it('failover: dry runs with and without --json, then the real failover', async () => {
    expect((await cli('failover dry', 'failover', '--force', '--dry-run')).code).toBe(0);
    const dryJson = await cli('failover dry json', '--json', 'failover', '--force', '--dry-run');
    expect(dryJson.code, dryJson.stdout).toBe(0);
    const real = await cli('failover real', 'failover', '--force', '--yes');
    expect(real.code, real.stderr).toBe(0);
    expect(await appSecret()).toMatchObject({ dbClusterId: 'region-b', dsn, db: { password } });
  });

  it('cutback: dry runs with and without --json, then the real cutback --json', async () => {
    expect((await cli('cutback dry', 'cutback', '--dry-run')).code).toBe(0);
    const dryJson = await cli('cutback dry json', '--json', 'cutback', '--dry-run');
    expect(dryJson.code, dryJson.stdout).toBe(0);
    const real = await cli('cutback real json', '--json', 'cutback', '--yes');
    expect(real.code, real.stdout).toBe(0);
    expect(await appSecret()).toMatchObject({ dbClusterId: 'region-a', dsn, db: { password } });
  });

  it('switchover dry run --json, runbook executions, resume of the finished failover, lab status: the canary is nowhere', async () => {
    const sw = await cli('switchover dry json', '--json', 'switchover', '--dry-run');
    expect(sw.code, sw.stdout).toBe(0);
    const list = await cli('executions', 'runbook', 'executions');
    expect(list.code, list.stderr).toBe(0);
    expect((await cli('executions json', '--json', 'runbook', 'executions')).code).toBe(0);
    const [failover] = Journal.list(fx.provider.paths.journalDir).filter((j) =>
      j.startsWith('rb-n-01'),
    );
    const resumed = await cli('resume json', '--json', 'runbook', 'resume', failover!, '--yes');
    expect(resumed.code, resumed.stdout).toBe(0);
    // lab status reads the app secret too
    expect((await cli('lab status', 'lab', 'status')).code).toBe(0);
    expect((await cli('lab status json', '--json', 'lab', 'status')).code).toBe(0);

    expect(canaryHits({ probe: `x${canary('probe')}x` })).toHaveLength(1); // the search works
    const files = filesUnder(fx.dir, [fx.provider.paths.secretsDir]);
    expect(files.filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(2);
    expect(canaryHits(printed.texts, files)).toEqual([]);
  });
});
