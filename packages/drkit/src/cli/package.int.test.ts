import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * drkit as people get it: `npx drkit` in the checkout (the workspace's bin, linked by npm install)
 * and the `npm pack` tarball installed elsewhere (no repo around it). The tarball is installed
 * with --prefix rather than -g, so the test leaves no global trace; --prefer-offline takes the
 * dependencies from the cache that bootstrap's npm install filled.
 */
const run = promisify(execFile);
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = path.resolve(pkgDir, '../..');

describe('the drkit command', () => {
  let tmp: string;
  let packed: { filename: string; files: { path: string }[] };
  let drkit: string;
  let runDir: string;

  beforeAll(async () => {
    expect(
      existsSync(path.join(pkgDir, 'dist/cli/main.js')),
      'drkit is built (npm test builds it)',
    ).toBe(true);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'drkit-pack-'));
    // --ignore-scripts: prepack would rebuild dist/ (`npm test` has just built it), doubling the
    // test's time and rewriting files other tests may be running from.
    const pack = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp],
      { cwd: pkgDir },
    );
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
    const prefix = path.join(tmp, 'install');
    await run(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        path.join(tmp, packed.filename),
      ],
      { cwd: tmp },
    );
    drkit = path.join(prefix, 'node_modules/.bin/drkit');
    // Run where there is no drkit.config.yaml and no checkout: what a user of the package sees.
    runDir = path.join(tmp, 'run');
    mkdirSync(runDir);
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('GIVEN the checkout after bootstrap WHEN `npx drkit --help` (npm exec, never installing) THEN the CLI answers', async () => {
    const { stdout } = await run('npm', ['exec', '--no', '--', 'drkit', '--help'], {
      cwd: repoRoot,
    });
    expect(stdout).toMatch(/^Usage: drkit /);
  });

  it('GIVEN the package WHEN packed THEN it ships bin/ and dist/ and nothing of the tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('bin/drkit.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files.filter((f) => !/^(bin|dist)\/|^package\.json$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|^dist\/testing\/|\.map$/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.prepack).toBe('npm run build');
  });

  it('GIVEN the tarball installed outside the repo WHEN `drkit --help` THEN the CLI answers', async () => {
    const { stdout } = await run(drkit, ['--help'], { cwd: runDir });
    expect(stdout).toMatch(/^Usage: drkit /);
    expect(stdout).toContain('runbook');
  });

  it('GIVEN the tarball installed outside the repo WHEN `drkit runbook list --json` THEN every runbook is listed', async () => {
    const { stdout } = await run(drkit, ['runbook', 'list', '--json'], { cwd: runDir });
    const ids = (JSON.parse(stdout) as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['rb-n-01', 'rb-n-02', 'rb-n-03', 'rb-n-05']));
  });

  it('GIVEN the tarball installed outside the repo WHEN `drkit dashboard` THEN the page inlines the uPlot installed beside it', async () => {
    const out = path.join(runDir, 'dashboard.html');
    const { stdout } = await run(drkit, ['--json', 'dashboard', '--out', out], { cwd: runDir });
    const doc = JSON.parse(stdout) as { file: string; uplot: string };
    expect(doc.file).toBe(out);
    const installed = JSON.parse(
      readFileSync(path.join(tmp, 'install/node_modules/uplot/package.json'), 'utf8'),
    ) as { version: string };
    expect(doc.uplot).toBe(installed.version);
    expect(readFileSync(out, 'utf8')).toContain(`uPlot (v${installed.version})`);
  });
});
