import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DashboardData } from './dashboard-data.js';
import { escapeHtml, renderDashboardHtml, scriptJson } from './dashboard-html.js';
import { loadUplotAssets } from './uplot-assets.js';

const EVIL = `</script><script>alert(1)</script><img src=x onerror="alert('x')">&`;
const assets = loadUplotAssets();
const data = (o: Partial<DashboardData> = {}): DashboardData => ({
  generatedAt: '2026-12-01T12:00:00.000Z',
  evidenceDir: '/e',
  maxDrillAgeDays: 92,
  matrix: [
    {
      component: 'database',
      tier: 1,
      description: EVIL,
      rtoTargetSeconds: 3600,
      rpoTargetSeconds: 300,
      lastDrill: {
        scenario: 'pitr',
        title: EVIL,
        startedAt: '2026-11-30T00:00:00.000Z',
        outcome: 'passed',
        ageDays: 1.5,
        rtoSeconds: 4000,
        rpoSeconds: 0.5,
        rpoUpperBoundSeconds: 1.25,
        lostWrites: 2,
        acknowledgedWrites: 100,
        report: `${EVIL}.md`,
      },
      flags: ['RTO target missed'],
    },
  ],
  history: [
    {
      scenario: 'pitr',
      drills: [
        {
          startedAt: '2026-11-30T00:00:00.000Z',
          title: EVIL,
          outcome: 'passed',
          rtoSeconds: 4000,
          rpoSeconds: 0.5,
          rpoUpperBoundSeconds: 1.25,
          rtoTargetSeconds: 3600,
          rpoTargetSeconds: 300,
          report: 'r.md',
        },
      ],
    },
  ],
  skipped: [{ file: '2026-Q4-pitr-20261129T000000Z.json', reason: `not JSON: ${EVIL}` }],
  verify: { kind: 'none', file: '/s/posture/verify-latest.json' },
  ...o,
});
/** The page with uPlot's own code and our script cut out: what is left came from the data. */
const dataPart = (html: string) =>
  html.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');

describe('renderDashboardHtml: a self-contained page that shows report strings as text', () => {
  it('GIVEN hostile strings in reports WHEN rendered THEN no tag or attribute of theirs reaches the page, the text does', () => {
    const html = renderDashboardHtml(data(), assets);
    const page = dataPart(html);
    expect(page).not.toMatch(/<img|onerror="|<script>alert/);
    expect(page).toContain(escapeHtml(EVIL));
    // The chart data block: one opening, one closing tag, the strings inside as \u003c.
    const block =
      /<script type="application\/json" id="drkit-chart-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual(data().history);
  });

  it('GIVEN the page WHEN its CSP is read THEN it allows no network and exactly its two inline scripts by hash', () => {
    const html = renderDashboardHtml(data(), assets);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none';/);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const s of scripts)
      expect(csp).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(scripts[0]).toContain(`uPlot (v${assets.version})`);
    expect(html).not.toMatch(/\s(src|href)="?https?:/);
  });

  it('GIVEN a missed target, a skipped report and an unreadable verify record WHEN rendered THEN each is shown', () => {
    const html = renderDashboardHtml(
      data({ verify: { kind: 'malformed', file: '/s/v.json', reason: 'checks: expected array' } }),
      assets,
    );
    expect(html).toMatch(/<tr class="flagged" data-component="database">/);
    expect(html).toContain('<td class="over">4000.00 s</td>');
    expect(html).toContain('<td class="within">0.50 s (≤ 1.25 s)</td>');
    expect(html).toContain(
      'Skipped malformed report <code>2026-Q4-pitr-20261129T000000Z.json</code>',
    );
    expect(html).toContain(
      'Unreadable verify record <code>/s/v.json</code>: checks: expected array',
    );
    expect(html).toContain('id="chart-0-rto"');
    expect(html).toContain('id="chart-0-rpo"');
  });

  it('GIVEN no evidence and no verify record WHEN rendered THEN the page says what to run', () => {
    const html = renderDashboardHtml(data({ matrix: [], history: [], skipped: [] }), assets);
    expect(html).not.toContain('id="warnings"');
    expect(html).toContain('No drill report yet');
    expect(html).toContain('No <code>drkit verify</code> result recorded yet');
  });
});

describe('renderDashboardHtml: the latest restore test', () => {
  const record = {
    scratchCluster: 'rt-scratch-202612020220-c36c',
    provider: 'lab',
    source: 'region-a',
    startedAt: '2026-12-02T02:20:53.961Z',
    finishedAt: '2026-12-02T02:20:56.100Z',
    target: 'latest' as const,
    totalDurationSeconds: 2.1,
    result: 'FAILED' as const,
    reason: `restore: lz4 error ${EVIL}`,
    checks: [],
    scratchRemoved: true,
    reaped: [],
  };

  it('GIVEN a FAILED run with a hostile reason WHEN rendered THEN its badge, figures and escaped reason are shown', () => {
    const html = renderDashboardHtml(
      data({ restoreTest: { kind: 'record', file: '/s/rt.json', record } }),
      assets,
    );
    const part = /<section id="restore-test">[\s\S]*?<\/section>/.exec(html)![0];
    expect(part).toContain('<span class="badge fail">FAILED</span> 2026-12-02T02:20:53.961Z');
    expect(part).toContain('<th>recovery point</th><td>not reached</td>');
    expect(part).toContain('<th>restore duration</th><td>not measured</td>');
    expect(part).toContain(escapeHtml(record.reason));
    expect(part).not.toMatch(/<img|<script>alert/);
  });

  it('GIVEN none or an unreadable record WHEN rendered THEN the page says what to run / names the file', () => {
    expect(renderDashboardHtml(data(), assets)).toContain(
      'No <code>drkit restore-test</code> run recorded yet',
    );
    const html = renderDashboardHtml(
      data({ restoreTest: { kind: 'malformed', file: '/s/rt.json', reason: 'result: invalid' } }),
      assets,
    );
    expect(html).toContain(
      'Unreadable restore test record <code>/s/rt.json</code>: result: invalid',
    );
  });
});

describe('scriptJson', () => {
  it('escapes what could end a script block or break a JavaScript string', () => {
    expect(scriptJson({ t: '</script>\u2028' })).toBe('{"t":"\\u003c/script>\\u2028"}');
  });
});
