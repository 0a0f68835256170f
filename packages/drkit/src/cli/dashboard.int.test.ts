import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX } from '../report/matrix.js';
import type { DrillReport } from '../report/report-types.js';
import { makeLabFixture, runCli, spawnCli, type LabFixture } from '../testing/lab-fixture.js';

/**
 * `drkit dashboard` end to end: the real drill reports of ops/dr/drill_reports (plus a malformed
 * one and one whose title is an HTML injection), a verify result recorded by a real
 * `drkit verify` on a real lab, the page opened in Debian's Chromium through playwright-core.
 * The assertions are what a person sees: the matrix rows, a chart per scenario with its points
 * and its target line (read back from the canvas pixels), the skipped report named, and the
 * replica and archive lag charts drawn from the lag history the verify and two `drkit metrics`
 * runs appended.
 * DRKIT_DASHBOARD_SCREENSHOT=<file.png> keeps a screenshot there too (ops/dr/dashboard/), and
 * DRKIT_DASHBOARD_LAG_SCREENSHOT=<file.png> one of the lag charts.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const REAL = path.join(REPO, 'ops/dr/drill_reports');
const CHROMIUM = '/usr/bin/chromium';
const MALFORMED = '2026-Q4-pitr-20261130T000000Z.json';
const EVIL_TITLE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

let fx: LabFixture;
let browser: Browser;
let reportsDir: string;
let reports: DrillReport[];
let pageFile: string;
let verifyCode: number | null;

/** Opens `url` and records what a person would not see: requests, console errors, page errors. */
async function open(url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => 'drkitCharts' in globalThis);
  return { page, requests, errors };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/bootstrap does)`);
  fx = makeLabFixture({ lab: { seed: { users: 100 } } });
  reportsDir = fx.config.reportsDir;
  mkdirSync(reportsDir, { recursive: true });
  for (const f of readdirSync(REAL).filter((n) => n.endsWith('.json')))
    copyFileSync(path.join(REAL, f), path.join(reportsDir, f));
  const email = readdirSync(REAL).find((n) => /-email-failover-.*\.json$/.test(n))!;
  const evil = JSON.parse(readFileSync(path.join(REAL, email), 'utf8')) as DrillReport;
  writeFileSync(
    path.join(reportsDir, '2026-Q4-email-failover-20261125T000000Z.json'),
    JSON.stringify({ ...evil, title: EVIL_TITLE, startedAt: '2026-11-25T00:00:00.000Z' }),
  );
  writeFileSync(path.join(reportsDir, MALFORMED), '{"scenario": "pitr", "title": ');
  reports = readdirSync(reportsDir)
    .filter((n) => n.endsWith('.json') && n !== MALFORMED)
    .map((n) => JSON.parse(readFileSync(path.join(reportsDir, n), 'utf8')) as DrillReport);

  const up = await runCli(['--config', fx.configFile, 'lab', 'up']);
  expect(up.code, up.stderr).toBe(0);
  // A fresh lab fails the 7-day recoverable window: exit 11, recorded all the same.
  verifyCode = (await runCli(['--config', fx.configFile, 'verify'])).code;
  // Two metrics runs after the verify: three real samples of the lag history.
  for (let i = 0; i < 2; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    const m = await runCli(['--config', fx.configFile, 'metrics']);
    expect(m.code, m.stderr).toBe(0);
  }
  pageFile = path.join(fx.dir, 'out', 'dashboard.html');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await fx?.cleanup();
});

describe('drkit dashboard in Chromium', () => {
  it('GIVEN --help WHEN run THEN it names the page and its options', async () => {
    const r = await runCli(['dashboard', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--out <file>[\s\S]*--serve[\s\S]*--port <n>[\s\S]*--host <addr>/);
  });

  it('GIVEN real evidence, a malformed report and a recorded verify WHEN --json THEN it says what it wrote', async () => {
    expect([0, 11]).toContain(verifyCode);
    const r = await runCli(['--config', fx.configFile, '--json', 'dashboard', '--out', pageFile]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      file: string;
      bytes: number;
      scenarios: Array<{ scenario: string; drills: number }>;
      skipped: Array<{ file: string }>;
      verify: { checkedAt: string; fail: number };
    };
    expect(doc.file).toBe(pageFile);
    expect(doc.bytes).toBe(readFileSync(pageFile).length);
    expect(doc.skipped.map((s) => s.file)).toEqual([MALFORMED]);
    expect(doc.scenarios.reduce((n, s) => n + s.drills, 0)).toBe(reports.length);
    if (verifyCode === 0) expect(doc.verify.fail).toBe(0);
    else expect(doc.verify.fail).toBeGreaterThan(0);
    expect(r.stderr).toContain(`skipped malformed report ${MALFORMED}`);
  });

  it('GIVEN the page WHEN opened THEN the matrix shows every component with its newest drill, the malformed report is named, and nothing is fetched or injected', async () => {
    const url = pathToFileURL(pageFile).href;
    const { page, requests, errors } = await open(url);
    const rows = page.locator('table.matrix tbody tr');
    const components = Object.entries(DEFAULT_MATRIX)
      .sort(([a, x], [b, y]) => x.tier - y.tier || a.localeCompare(b))
      .map(([c]) => c);
    expect(await rows.locator('th').allInnerTexts()).toEqual(components);
    for (const [component, c] of Object.entries(DEFAULT_MATRIX)) {
      const newest = reports
        .filter((r) => c.scenarios.includes(r.scenario))
        .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
      const row = page.locator(`table.matrix tr[data-component="${component}"]`);
      await expect.poll(() => row.isVisible()).toBe(true);
      const cells = await row.locator('td').allInnerTexts();
      if (!newest) expect(cells).toContain('never drilled');
      else {
        expect(cells[2]).toBe(`${newest.achieved.rtoSeconds!.toFixed(2)} s`);
        expect(cells[6]).toContain(`${newest.scenario} ${newest.startedAt.slice(0, 10)}`);
      }
    }
    const warning = page.locator('#warnings');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.innerText()).toMatch(
      new RegExp(`Skipped malformed report ${MALFORMED.replace(/\./g, '\\.')}: not JSON`),
    );
    // The injected title is text on the page, never markup that ran.
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    const email = page.locator('article[data-scenario="email-failover"]');
    await email.locator('summary').click(); // a person opens the list of drills
    expect(await email.locator('table.drills').innerText()).toContain(EVIL_TITLE);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    // the posture: the lag and age figures of the real verify
    const lag = await page.locator('table.checks.lag').innerText();
    expect(lag).toMatch(/replication\.lag[\s\S]*region-b streaming/);
    expect(lag).toMatch(/backup\.age[\s\S]*newest backup/);
    expect(lag).toMatch(/recovery\.newest-restorable/);
    await page.close();
  });

  it('GIVEN the page WHEN the charts are drawn THEN each scenario has an RTO and an RPO canvas with its drills and a target line', async () => {
    const { page } = await open(pathToFileURL(pageFile).href);
    const scenarios = [...new Set(reports.map((r) => r.scenario))].sort();
    expect(
      await page.locator('article.scenario').evaluateAll((as) => as.map((a) => a.dataset.scenario)),
    ).toEqual(scenarios);
    for (const s of scenarios) {
      const canvases = page.locator(`article[data-scenario="${s}"] canvas`);
      expect(await canvases.count()).toBe(2);
      for (const box of [await canvases.nth(0).boundingBox(), await canvases.nth(1).boundingBox()])
        expect(box!.width * box!.height).toBeGreaterThan(300 * 150);
      expect(
        await page.locator(`article[data-scenario="${s}"] .u-legend`).first().innerText(),
      ).toMatch(/RTO target/);
    }
    // Pixels: the target's red along its row, none at the plot's top edge; each drill's dot in
    // its series colour where its value is.
    const seen = await page.evaluate(() => {
      type U = {
        ctx: {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
        bbox: { left: number; top: number; width: number; height: number };
        data: Array<Array<number | null>>;
        valToPos(v: number, k: string, c: boolean): number;
      };
      const charts = (
        globalThis as unknown as {
          drkitCharts: Array<{ scenario: string; metric: string; target: number; uplot: U }>;
        }
      ).drkitCharts;
      const near = (d: Uint8ClampedArray, i: number, rgb: number[]) =>
        rgb.every((v, k) => Math.abs(d[i + k]! - v) < 48) && d[i + 3]! > 128;
      const red = [207, 34, 46];
      return charts.map(({ scenario, metric, target, uplot: u }) => {
        const row = (y: number) => {
          const d = u.ctx.getImageData(u.bbox.left, Math.round(y), u.bbox.width, 1).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (near(d, i, red)) n++;
          return n / u.bbox.width;
        };
        const ty = u.valToPos(target, 'y', true);
        const dots = u.data[0]!.slice(1, -1).map((x, i) => {
          const v = u.data[1]![i + 1];
          if (v == null) return true;
          const d = u.ctx.getImageData(
            u.valToPos(x!, 'x', true) - 2,
            u.valToPos(v, 'y', true) - 2,
            5,
            5,
          ).data;
          let colored = 0;
          for (let j = 0; j < d.length; j += 4) if (d[j + 3]! > 128 && d[j]! < 160) colored++;
          return colored >= 6;
        });
        return {
          scenario,
          metric,
          onTarget: Math.max(row(ty - 1), row(ty), row(ty + 1)),
          atTop: row(u.bbox.top + 2),
          dots,
        };
      });
    });
    expect(seen.map((c) => `${c.scenario}:${c.metric}`)).toEqual(
      scenarios.flatMap((s) => [`${s}:rto`, `${s}:rpo`]),
    );
    for (const c of seen) {
      expect(c.onTarget, `${c.scenario} ${c.metric} target line`).toBeGreaterThan(0.4);
      expect(c.atTop, `${c.scenario} ${c.metric} no red at the top`).toBe(0);
      expect(c.dots.every(Boolean), `${c.scenario} ${c.metric} drill dots`).toBe(true);
    }
    const shot = path.join(tmpdir(), `drkit-dashboard-${process.pid}.png`);
    // The top of the page: warnings, the matrix, the first scenario's charts.
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: 1240 } });
    const keep = process.env.DRKIT_DASHBOARD_SCREENSHOT;
    if (keep) copyFileSync(shot, path.resolve(REPO, keep));
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('GIVEN the lag history of a real verify and two metrics runs WHEN the page is drawn THEN the replica and archive lag charts show every sample at its value, with the RPO target line', async () => {
    const lines = readFileSync(
      path.join(fx.config.stateDir, 'posture', 'lag-history.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            at: string;
            source: string;
            cluster: string;
            archiveLagSeconds?: number;
            standbys: Array<{ name: string; lagSeconds: number }>;
          },
      );
    expect(lines.map((l) => [l.source, l.cluster])).toEqual([
      ['verify', 'region-a'],
      ['metrics', 'region-a'],
      ['metrics', 'region-a'],
    ]);
    const r = await runCli(['--config', fx.configFile, '--json', 'dashboard', '--out', pageFile]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { lag: unknown }).lag).toMatchObject({
      samples: 3,
      skippedLines: 0,
      series: ['region-a → region-b', 'region-a'],
    });
    const { page, errors } = await open(pathToFileURL(pageFile).href);
    const section = page.locator('#lag');
    expect(await section.locator('p').first().innerText()).toMatch(
      /^3 samples from .* RPO target of 300 s/,
    );
    expect(await section.locator('canvas').count()).toBe(2);
    expect(await section.locator('.u-legend').first().innerText()).toMatch(
      /region-a → region-b \(s\)[\s\S]*RPO target \(s\)/,
    );
    const seen = await page.evaluate(() => {
      type U = {
        ctx: {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
        bbox: { left: number; top: number; width: number; height: number };
        data: Array<Array<number | null>>;
        valToPos(v: number, k: string, c: boolean): number;
      };
      const charts = (
        globalThis as unknown as {
          drkitLagCharts: Array<{ kind: string; labels: string[]; target: number; uplot: U }>;
        }
      ).drkitLagCharts;
      const near = (d: Uint8ClampedArray, i: number, rgb: number[]) =>
        rgb.every((v, k) => Math.abs(d[i + k]! - v) < 60) && d[i + 3]! > 128;
      const blue = [9, 105, 218];
      const red = [207, 34, 46];
      return charts.map(({ kind, labels, target, uplot: u }) => {
        const redRow = (y: number) => {
          const d = u.ctx.getImageData(u.bbox.left, Math.round(y), u.bbox.width, 1).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (near(d, i, red)) n++;
          return n / u.bbox.width;
        };
        const ty = u.valToPos(target, 'y', true);
        // each sample of the first series: blue pixels around its point
        const dots = u.data[0]!.map((x, i) => {
          const v = u.data[1]![i];
          if (v == null) return true;
          const d = u.ctx.getImageData(
            u.valToPos(x!, 'x', true) - 3,
            u.valToPos(v, 'y', true) - 3,
            7,
            7,
          ).data;
          let n = 0;
          for (let j = 0; j < d.length; j += 4) if (near(d, j, blue)) n++;
          return n >= 4;
        });
        return {
          kind,
          labels,
          values: u.data[1],
          onTarget: Math.max(redRow(ty - 1), redRow(ty), redRow(ty + 1)),
          dots,
        };
      });
    });
    expect(seen.map((c) => [c.kind, c.labels])).toEqual([
      ['replica', ['region-a → region-b']],
      ['archive', ['region-a']],
    ]);
    // what is drawn is the history, sample by sample
    expect(seen[0]!.values).toEqual(lines.map((l) => l.standbys[0]!.lagSeconds));
    expect(seen[1]!.values).toEqual(lines.map((l) => l.archiveLagSeconds ?? null));
    for (const c of seen) {
      expect(c.onTarget, `${c.kind} target line`).toBeGreaterThan(0.4);
      expect(c.dots.every(Boolean), `${c.kind} sample points`).toBe(true);
    }
    expect(errors).toEqual([]);
    // DRKIT_DASHBOARD_LAG_SCREENSHOT=<file.png> keeps the lag section's screenshot there.
    const keep = process.env.DRKIT_DASHBOARD_LAG_SCREENSHOT;
    if (keep) await section.screenshot({ path: path.resolve(REPO, keep) });
    await page.close();
  });

  it('GIVEN --serve --port 0 WHEN a report is added between two loads THEN the served page shows it, and SIGTERM stops the server', async () => {
    const child = spawnCli([
      '--config',
      fx.configFile,
      '--json',
      'dashboard',
      '--serve',
      '--port',
      '0',
      '--out',
      path.join(fx.dir, 'out', 'served.html'),
    ]);
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await expect
        .poll(() => /"url": "([^"]+)"/.exec(stdout)?.[1], { timeout: 20_000 })
        .toBeTruthy();
      const url = /"url": "([^"]+)"/.exec(stdout)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const { page, errors } = await open(url);
      expect(await page.locator('article[data-scenario="table-restore"]').count()).toBe(0);
      const pitr = reports.find((r) => r.scenario === 'pitr')!;
      writeFileSync(
        path.join(reportsDir, '2026-Q4-table-restore-20261201T000000Z.json'),
        JSON.stringify({
          ...pitr,
          scenario: 'table-restore',
          startedAt: '2026-12-01T00:00:00.000Z',
        }),
      );
      await page.reload();
      await page.waitForFunction(() => 'drkitCharts' in globalThis);
      expect(await page.locator('article[data-scenario="table-restore"] canvas').count()).toBe(2);
      expect(
        await page.locator('table.matrix tr[data-component="key-value"] td.status').innerText(),
      ).toBe('ok');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await closed).toBe(0);
  });
});
