import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../engine/journal.js';
import { readAppConfig, writeAppConfig } from '../../lab/app-config.js';
import { labUp } from '../../lab/lab.js';
import { CANARY, filesUnder } from '../../testing/canary.js';
import { makeLabFixture, runCli, type LabFixture } from '../../testing/lab-fixture.js';

/**
 * The secrets canary for RB-N-02 on the lab: a password planted in the app's endpoint secret
 * must not reach anything drkit prints (run, dry run, resume, with and without --json) nor any
 * file it writes (journals, locks, notifications, reports) — and the swap must keep it.
 */
describe('secrets canary: RB-N-02 on the lab', () => {
  let fx: LabFixture;
  beforeAll(async () => {
    fx = makeLabFixture({ lab: { seed: { users: 100, ordersPerUser: 2 } } });
    await labUp(fx.provider, fx.config);
    const app = await readAppConfig(fx.provider.secrets);
    await writeAppConfig(fx.provider.secrets, {
      ...app,
      db: { ...app.db, password: CANARY } as typeof app.db,
    });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('no output and no file drkit wrote holds the password; the swapped secret still does', async () => {
    const rb02 = [
      'runbook',
      'run',
      'rb-n-02',
      '--param',
      'source=region-a',
      '--param',
      'target=latest',
    ];
    const printed: string[] = [];
    for (const extra of [['--dry-run'], ['--json', '--dry-run'], ['--json', '--yes']]) {
      const json = extra.includes('--json');
      const r = await runCli([
        '--config',
        fx.configFile,
        ...(json ? ['--json'] : []),
        ...rb02,
        ...extra.filter((x) => x !== '--json'),
      ]);
      expect(r.code, r.stderr).toBe(0);
      printed.push(r.stdout, r.stderr);
    }
    const [id] = Journal.list(fx.provider.paths.journalDir);
    const resumed = await runCli(['--config', fx.configFile, '--json', 'runbook', 'resume', id!]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const listed = await runCli(['--config', fx.configFile, '--json', 'runbook', 'executions']);
    printed.push(resumed.stdout, resumed.stderr, listed.stdout, listed.stderr);
    for (const text of printed) expect(text).not.toContain(CANARY);

    const p = fx.provider.paths;
    // the secrets store itself holds it (that is its job); PostgreSQL's own files are not drkit's
    const files = filesUnder(p.stateDir, [p.secretsDir, p.labDir]);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(CANARY);
    for (const f of filesUnder(p.journalDir, []))
      if (f.endsWith('.jsonl')) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');

    const app = (await readAppConfig(fx.provider.secrets)) as unknown as {
      dbClusterId: string;
      db: { password?: string };
    };
    expect(app.dbClusterId).not.toBe('region-a');
    expect(app.db.password).toBe(CANARY);
  });
});
