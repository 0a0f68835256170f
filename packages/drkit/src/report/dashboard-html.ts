import { createHash } from 'node:crypto';
import type { PostureCheck } from '../ports/posture.js';
import type { DashboardData, ScenarioHistory, VerifySection } from './dashboard-data.js';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import type { MatrixRow } from './matrix.js';
import type { UplotAssets } from './uplot-assets.js';

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * JSON that can sit inside a `<script type="application/json">` block: `<` is escaped so that no
 * string from a report can close the block, and so are the two line separators JavaScript once
 * refused in strings.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const e = escapeHtml;
const secs = (n: number | undefined) => (n === undefined ? 'not measured' : `${n.toFixed(2)} s`);
const dur = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);
const cell = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${e(text)}</td>`;
const over = (v: number | undefined, target: number) =>
  v === undefined ? 'unmeasured' : v > target ? 'over' : 'within';

function matrixTable(rows: ReadonlyArray<MatrixRow>): string {
  const body = rows.map((r) => {
    const d = r.lastDrill;
    const rpo = d ? (d.rpoUpperBoundSeconds ?? d.rpoSeconds) : undefined;
    return [
      `<tr class="${r.flags.length ? 'flagged' : 'ok'}" data-component="${e(r.component)}">`,
      `<th scope="row" title="${e(r.description)}">${e(r.component)}</th>`,
      cell(String(r.tier)),
      cell(dur(r.rtoTargetSeconds)),
      d ? cell(secs(d.rtoSeconds), over(d.rtoSeconds, r.rtoTargetSeconds)) : cell('—'),
      cell(dur(r.rpoTargetSeconds)),
      d
        ? cell(
            `${secs(d.rpoSeconds)}${d.rpoUpperBoundSeconds === undefined ? '' : ` (≤ ${d.rpoUpperBoundSeconds.toFixed(2)} s)`}`,
            over(rpo, r.rpoTargetSeconds),
          )
        : cell('—'),
      d ? cell(`${d.lostWrites ?? 'n/a'} of ${d.acknowledgedWrites ?? 'n/a'}`) : cell('—'),
      d
        ? `<td>${e(d.scenario)} ${e(d.startedAt.slice(0, 10))} (${d.ageDays} d ago, ${e(d.outcome)})<br><small>${e(d.report)}</small></td>`
        : cell('never drilled'),
      cell(r.flags.length ? r.flags.join(', ') : 'ok', 'status'),
      '</tr>',
    ].join('');
  });
  return `<table class="matrix"><thead><tr><th>component</th><th>tier</th><th>RTO target</th><th>RTO achieved</th><th>RPO target</th><th>RPO achieved (upper bound)</th><th>writes lost</th><th>last drill</th><th>status</th></tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}

function scenarioCard(h: ScenarioHistory, i: number): string {
  const latest = h.drills.at(-1)!;
  const rows = [...h.drills]
    .reverse()
    .map((d) =>
      [
        '<tr>',
        cell(d.startedAt.replace('T', ' ').slice(0, 19)),
        cell(d.title),
        cell(d.outcome, d.outcome === 'passed' ? '' : 'over'),
        cell(
          `${secs(d.rtoSeconds)} / ${dur(d.rtoTargetSeconds)}`,
          over(d.rtoSeconds, d.rtoTargetSeconds),
        ),
        cell(
          `${secs(d.rpoSeconds)}${d.rpoUpperBoundSeconds === undefined ? '' : ` (≤ ${d.rpoUpperBoundSeconds.toFixed(2)} s)`} / ${dur(d.rpoTargetSeconds)}`,
          over(d.rpoUpperBoundSeconds ?? d.rpoSeconds, d.rpoTargetSeconds),
        ),
        cell(d.report),
        '</tr>',
      ].join(''),
    );
  return `<article class="scenario" data-scenario="${e(h.scenario)}">
<h3>${e(h.scenario)}</h3>
<p class="muted">${h.drills.length} drill${h.drills.length === 1 ? '' : 's'}; latest ${e(latest.startedAt.slice(0, 10))}: ${e(latest.title)}</p>
<div class="charts"><div class="chart" id="chart-${i}-rto" data-metric="rto"></div><div class="chart" id="chart-${i}-rpo" data-metric="rpo"></div></div>
<details><summary>every drill (achieved / target)</summary><table class="drills"><thead><tr><th>started (UTC)</th><th>drill</th><th>outcome</th><th>RTO</th><th>RPO (upper bound)</th><th>report</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></details>
</article>`;
}

const badge = (s: PostureCheck['status']) => `<span class="badge ${s}">${s.toUpperCase()}</span>`;

function verifyPart(v: VerifySection): string {
  if (v.kind === 'none')
    return `<p class="muted">No <code>drkit verify</code> result recorded yet: run <code>drkit verify</code> (it keeps its result in <code>${e(v.file)}</code>).</p>`;
  if (v.kind === 'malformed')
    return `<p class="warn">The recorded verify result <code>${e(v.file)}</code> cannot be read (${e(v.reason)}): run <code>drkit verify</code> again.</p>`;
  const { record: r, counts } = v;
  const line = (c: PostureCheck) =>
    `<tr class="${c.status}">${`<td>${badge(c.status)}</td>`}${cell(c.id)}${cell(c.subject)}${cell(c.value)}${cell(c.reason, 'muted')}</tr>`;
  const head = `<thead><tr><th>status</th><th>check</th><th>subject</th><th>value seen</th><th>policy / reason</th></tr></thead>`;
  return `<p>Checked ${e(r.checkedAt)} (${v.ageHours} h before this page) on provider <b>${e(r.provider)}</b>: ${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail. Policy: newest backup at most ${r.policy.maxBackupAgeHours} h old, recoverable window at least ${r.policy.minWindowDays} days, lag at most ${r.policy.rpoTargetSeconds} s (RPO target).</p>
<h3>Lag and age</h3>
${v.lagAndAge.length ? `<table class="checks lag">${head}<tbody>${v.lagAndAge.map(line).join('\n')}</tbody></table>` : '<p class="muted">The record has no lag or age check (no primary with a stanza was running).</p>'}
<details><summary>all ${r.checks.length} checks</summary><table class="checks">${head}<tbody>${r.checks.map(line).join('\n')}</tbody></table></details>`;
}

function restoreTestPart(t: DashboardData['restoreTest']): string {
  if (!t || t.kind === 'none')
    return `<p class="muted">No <code>drkit restore-test</code> run recorded yet: schedule <code>drkit restore-test</code> (see the README).</p>`;
  if (t.kind === 'malformed')
    return `<p class="warn">The recorded restore test <code>${e(t.file)}</code> cannot be read (${e(t.reason)}): run <code>drkit restore-test</code> again.</p>`;
  const r = t.record;
  const status = r.result === 'SUCCESSFUL' ? 'pass' : 'fail';
  return `<p id="restore-test-result"><span class="badge ${status}">${e(r.result)}</span> ${e(r.startedAt)}: <b>${e(r.source)}</b> restored (${e(r.target)}) into scratch cluster <code>${e(r.scratchCluster)}</code>${r.scratchRemoved ? ', since removed' : ', <b>NOT removed</b>'}.</p>
<table class="checks"><tbody><tr><th>recovery point</th>${cell(r.recoveryPoint ?? 'not reached')}</tr><tr><th>restore duration</th>${cell(r.restoreDurationSeconds === undefined ? 'not measured' : `${r.restoreDurationSeconds} s`)}</tr><tr><th>reason</th>${cell(r.reason)}</tr></tbody></table>`;
}

function lagPart(l: DashboardData['lag']): string {
  if (!l || l.samples === 0)
    return `<p class="muted">No lag history yet: each <code>drkit verify</code> and <code>drkit metrics</code> run adds a sample (a served endpoint and <code>lab up --alerting</code> one every 10 s) to <code>${e(l?.file ?? '<stateDir>/posture/lag-history.jsonl')}</code>.</p>`;
  const t = l.latest!;
  const from = new Date(l.times[0]! * 1000).toISOString();
  const to = new Date(l.times.at(-1)! * 1000).toISOString();
  const rows = [
    ...(t.archiveLagSeconds === undefined
      ? []
      : [
          `<tr>${cell(`${t.cluster} archive`)}${cell(`${t.archiveLagSeconds.toFixed(1)} s`, t.archiveLagSeconds > l.rpoTargetSeconds ? 'over' : 'within')}${cell('—')}</tr>`,
        ]),
    ...t.standbys.map(
      (s) =>
        `<tr>${cell(`${t.cluster} → ${s.name}`)}${cell(`${s.lagSeconds.toFixed(1)} s`, s.lagSeconds > l.rpoTargetSeconds ? 'over' : 'within')}${cell(`${s.lagBytes} bytes`)}</tr>`,
    ),
  ];
  return `<p>${l.samples} sample${l.samples === 1 ? '' : 's'} from ${e(from)} to ${e(to)} in <code>${e(l.file)}</code>${l.omitted ? ` (the ${l.omitted} older ones are not drawn)` : ''}${l.skippedLines ? `; ${l.skippedLines} unreadable line${l.skippedLines === 1 ? '' : 's'} skipped` : ''}. Held to the RPO target of ${l.rpoTargetSeconds} s (dashed red).</p>
<div class="charts"><div class="chart" id="chart-lag-replica" data-lag="replica"></div><div class="chart" id="chart-lag-archive" data-lag="archive"></div></div>
<table class="checks lag-latest"><thead><tr><th>newest sample (${e(t.at)})</th><th>lag</th><th>WAL not yet replayed</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function warnings(d: DashboardData): string {
  const items = d.skipped.map(
    (s) =>
      `<li>Skipped malformed report <code>${e(s.file)}</code>: ${e(s.reason)} — it is left out of the matrix and the charts.</li>`,
  );
  if (d.verify.kind === 'malformed')
    items.push(
      `<li>Unreadable verify record <code>${e(d.verify.file)}</code>: ${e(d.verify.reason)}</li>`,
    );
  if (d.restoreTest?.kind === 'malformed')
    items.push(
      `<li>Unreadable restore test record <code>${e(d.restoreTest.file)}</code>: ${e(d.restoreTest.reason)}</li>`,
    );
  return items.length
    ? `<section id="warnings" role="alert"><h2>Warnings</h2><ul>${items.join('\n')}</ul></section>`
    : '';
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{margin:0 0 .2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}.muted{color:#59636e}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}tr.flagged .status{color:#9a6700;font-weight:600}tr.ok .status{color:#1a7f37}
td.over{color:#cf222e;font-weight:600}td.within{color:#1a7f37}
#warnings{border:1px solid #d4a72c;background:#fff8c5;padding:.2rem 1rem;margin-top:1rem}#warnings h2{border:0;margin:.4rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{flex:1 1 460px;min-width:320px;max-width:720px}
.scenario{margin:1.2rem 0;padding-bottom:.5rem;border-bottom:1px dashed #d0d7de}
.badge{font-weight:700;font-size:12px}.badge.pass{color:#1a7f37}.badge.warn{color:#9a6700}.badge.fail{color:#cf222e}
.warn{color:#9a6700}code{background:#f6f8fa;padding:0 .2rem}`;

/**
 * The dashboard as one self-contained HTML page: uPlot, its stylesheet, the data and the
 * script are inline, and the page's Content-Security-Policy allows no network request at all
 * (`default-src 'none'`) and only its own two scripts (by hash). Every string taken from a
 * report or a record is escaped.
 */
export function renderDashboardHtml(d: DashboardData, assets: UplotAssets): string {
  if (/<\/style/i.test(assets.css)) throw new Error('uPlot stylesheet contains </style');
  // `<\/` is the same text inside a JavaScript string or regular expression.
  const uplotJs = assets.js.replace(/<\/script/gi, '<\\/script');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${sha256(uplotJs)} ${sha256(DASHBOARD_SCRIPT)}`;
  const drills = d.history.reduce((n, h) => n + h.drills.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drkit — DR dashboard</title>
<style>${assets.css}</style><style>${CSS}</style></head>
<body>
<h1>DR dashboard</h1>
<p class="muted">Generated ${e(d.generatedAt)} by <code>drkit dashboard</code> from ${drills} drill report${drills === 1 ? '' : 's'} in <code>${e(d.evidenceDir)}</code>. A component is flagged when never drilled, drilled more than ${d.maxDrillAgeDays} days ago, failed or over target.</p>
${warnings(d)}
<section id="matrix"><h2>DR matrix — target vs achieved</h2>
${matrixTable(d.matrix)}</section>
<section id="history"><h2>Drill history — RTO and RPO per drill against the target</h2>
<noscript><p class="warn">The charts need JavaScript; the tables under each scenario hold every figure.</p></noscript>
${d.history.length ? d.history.map(scenarioCard).join('\n') : '<p class="muted">No drill report yet: <code>drkit drill plan</code> lists the drills to run.</p>'}
</section>
<section id="verify"><h2>Posture — latest <code>drkit verify</code></h2>
${verifyPart(d.verify)}</section>
<section id="lag"><h2>Lag over time — replica and archive lag against the RPO target</h2>
${lagPart(d.lag)}</section>
<section id="restore-test"><h2>Latest restore test</h2>
${restoreTestPart(d.restoreTest)}</section>
<script type="application/json" id="drkit-chart-data">${scriptJson(d.history)}</script>
<script type="application/json" id="drkit-lag-data">${scriptJson(d.lag && d.lag.samples ? { times: d.lag.times, archive: d.lag.archive, replica: d.lag.replica, rpoTargetSeconds: d.lag.rpoTargetSeconds } : null)}</script>
<script>${uplotJs}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>
`;
}
