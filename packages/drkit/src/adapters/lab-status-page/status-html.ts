import type { StatusSummary } from './lab-status-page.js';

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const COLOUR: Record<string, string> = {
  operational: '#2e7d32',
  under_maintenance: '#1565c0',
  degraded_performance: '#f9a825',
  partial_outage: '#ef6c00',
  major_outage: '#c62828',
  none: '#2e7d32',
  minor: '#f9a825',
  major: '#ef6c00',
  critical: '#c62828',
};

/** The status page as HTML (no script; every value escaped). */
export function renderStatusHtml(s: StatusSummary): string {
  const comps = s.components
    .map(
      (c) =>
        `<li><span class="dot" style="background:${COLOUR[String(c.status)] ?? '#777'}"></span>${esc(c.name)} — <b>${esc(String(c.status).replace(/_/g, ' '))}</b></li>`,
    )
    .join('\n');
  const incidents = s.incidents.length
    ? s.incidents
        .map((i) => {
          const updates = (i.incident_updates as Array<Record<string, unknown>>)
            .map(
              (u) =>
                `<li><b>${esc(u.status)}</b> <time>${esc(u.created_at)}</time> — ${esc(u.body)}</li>`,
            )
            .join('\n');
          return `<section id="${esc(i.id)}"><h3>${esc(i.name)} <small>(${esc(i.impact)} impact, ${esc(i.status)})</small></h3><ul>${updates}</ul></section>`;
        })
        .join('\n')
    : '<p>No incidents reported.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(s.page.name)} status</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto}.banner{color:#fff;padding:1rem;border-radius:4px}.dot{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;margin-right:.5rem}ul{list-style:none;padding-left:0}</style>
</head><body>
<h1>${esc(s.page.name)}</h1>
<div class="banner" style="background:${COLOUR[s.status.indicator]}">${esc(s.status.description)}</div>
<h2>Components</h2><ul>${comps}</ul>
<h2>Incidents</h2>${incidents}
<p><small>Updated ${esc(s.page.updated_at)} · <a href="/api/v2/summary.json">summary.json</a></small></p>
</body></html>
`;
}
