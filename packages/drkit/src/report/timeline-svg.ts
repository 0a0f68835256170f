import type { DrillReport } from './report-types.js';

const COLORS: Record<string, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  skipped: '#9e9e9e',
  interrupted: '#ef6c00',
  phase: '#1565c0',
};
const BAND = { outage: '#ffcdd2', loss: '#ffe0b2' } as const;
const EVENT_COLOR = (name: string) =>
  name === 'T0' ? '#c62828' : name === 'recovered' ? '#2e7d32' : '#6a1b9a';

/** Layout of the timeline, exported so tests can check positions against it. */
export const TIMELINE_LAYOUT = { width: 1100, labelW: 230, rightPad: 70, rowH: 22 } as const;

function esc(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}

/** Splits a title into lines of at most `max` characters, at spaces. */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const secs = (n: number | undefined, digits = 2) =>
  n === undefined ? 'n/a' : n > 0 && n < 0.005 ? n.toFixed(3) : n.toFixed(digits);

/**
 * The drill's timeline as a self-contained SVG, read at a glance: the title with RTO, RPO and
 * the lost writes; a legend; the outage (and the acknowledged writes given up) as bands; one
 * bar per runbook step or drill phase on a time axis in seconds from T0 that spans the incident
 * (set-up before it is clipped to the left edge, its true time in the label); each event a
 * marker drawn exactly at its time (`data-event`, `data-x`) with its label in a lane of its own.
 */
export function renderTimelineSvg(r: DrillReport): string {
  const { width, labelW, rightPad, rowH } = TIMELINE_LAYOUT;
  const t0 = Date.parse(r.events.find((e) => e.name === 'T0')?.at ?? r.startedAt);
  const endOf = (s: DrillReport['spans'][number]) =>
    s.end ? Date.parse(s.end) : Date.parse(s.start);
  // The incident's span: events (not the workload's start), steps, phases still running at T0.
  const relevant = [
    t0,
    ...r.events.filter((e) => e.name !== 'workload started').map((e) => Date.parse(e.at)),
    ...r.spans
      .filter((s) => s.kind === 'step' || endOf(s) >= t0)
      .flatMap((s) => [Date.parse(s.start), endOf(s)]),
    ...(r.bands ?? []).flatMap((b) => [Date.parse(b.start), Date.parse(b.end)]),
  ];
  const lo0 = Math.min(...relevant);
  const hi0 = Math.max(...relevant, lo0 + 1000);
  const pad = (hi0 - lo0) * 0.03;
  const min = lo0 - pad;
  const max = hi0 + pad;
  const plotW = width - labelW - rightPad;
  const x = (ms: number) =>
    labelW + ((Math.min(max, Math.max(min, ms)) - min) / (max - min)) * plotW;
  const rel = (ms: number) => `${ms >= t0 ? '+' : '−'}${Math.abs((ms - t0) / 1000).toFixed(2)} s`;

  const titleLines = wrap(r.title, 105);
  const lost = r.achieved.lostWrites;
  const figures = [
    `RTO ${secs(r.achieved.rtoSeconds)} s (target ${r.targets.rtoTargetMinutes * 60} s)`,
    `RPO ${secs(r.achieved.rpoSeconds)} s${r.achieved.rpoUpperBoundSeconds === undefined ? '' : ` (≤ ${secs(r.achieved.rpoUpperBoundSeconds)} s)`} (target ${r.targets.rpoTargetSeconds} s)`,
    `${lost ?? 'n/a'} of ${r.achieved.acknowledgedWrites ?? 'n/a'} acknowledged writes lost`,
    r.outcome.toUpperCase(),
  ].join(' · ');
  const legendY = 18 * titleLines.length + 36;
  const top = legendY + 24;
  const axisY = top + r.spans.length * rowH + 5;
  const laneY = axisY + 48 + (r.bands?.length ?? 0) * 14;
  const height = laneY + r.events.length * 16 + 16;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  titleLines.forEach((line, i) =>
    out.push(
      `<text x="10" y="${20 + i * 18}" font-size="14" font-weight="bold">${esc(line)}</text>`,
    ),
  );
  out.push(
    `<text x="10" y="${20 + titleLines.length * 18}" font-size="13" data-role="figures" fill="${(lost ?? 0) > 0 ? '#b71c1c' : '#1b5e20'}">${esc(figures)}</text>`,
  );
  // Legend.
  const legend: Array<[string, string, 'box' | 'line']> = [
    ['step succeeded', COLORS.succeeded!, 'box'],
    ['step failed', COLORS.failed!, 'box'],
    ['drill phase', COLORS.phase!, 'box'],
    ['write outage', BAND.outage, 'box'],
    ['acknowledged writes lost', BAND.loss, 'box'],
    ['T0 (fault)', EVENT_COLOR('T0'), 'line'],
    ['recovered', EVENT_COLOR('recovered'), 'line'],
    ['other event', EVENT_COLOR(''), 'line'],
  ];
  let lx = 10;
  for (const [name, color, shape] of legend) {
    out.push(
      shape === 'box'
        ? `<rect x="${lx}" y="${legendY - 10}" width="14" height="10" fill="${color}"/>`
        : `<line x1="${lx + 7}" y1="${legendY - 12}" x2="${lx + 7}" y2="${legendY + 1}" stroke="${color}" stroke-width="2" stroke-dasharray="3 2"/>`,
    );
    out.push(
      `<text x="${lx + 18}" y="${legendY}" fill="#333" data-role="legend">${esc(name)}</text>`,
    );
    lx += 26 + name.length * 6.5;
  }
  // Bands behind everything else; their labels get a line each under the axis.
  (r.bands ?? []).forEach((b, i) => {
    const x1 = x(Date.parse(b.start));
    const x2 = Math.max(x1 + 2, x(Date.parse(b.end)));
    const color = b.kind === 'outage' ? '#b71c1c' : '#e65100';
    out.push(
      `<rect data-band="${b.kind}" x="${x1.toFixed(1)}" y="${top - 6}" width="${(x2 - x1).toFixed(1)}" height="${axisY - top + 6}" fill="${BAND[b.kind]}" fill-opacity="0.7"><title>${esc(b.label)}</title></rect>`,
    );
    const ly = axisY + 30 + i * 14;
    const right = x1 + 4 + b.label.length * 6 <= width;
    out.push(
      `<line x1="${x1.toFixed(1)}" y1="${ly - 4}" x2="${x2.toFixed(1)}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(
      `<text x="${(right ? x1 + 2 : x2 - 2).toFixed(1)}" y="${ly + 8}" font-size="11" fill="${color}" text-anchor="${right ? 'start' : 'end'}">${esc(b.label)}</text>`,
    );
  });
  // Axis ticks every "nice" step, relative to T0.
  const span = (max - min) / 1000;
  const step =
    [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find(
      (s) => span / s <= 12,
    ) ?? 3600;
  for (let k = Math.ceil((min - t0) / 1000 / step); t0 + k * step * 1000 <= max; k++) {
    const s = Math.round(k * step * 1000) / 1000;
    const xx = x(t0 + s * 1000);
    out.push(
      `<line x1="${xx.toFixed(1)}" y1="${top - 5}" x2="${xx.toFixed(1)}" y2="${axisY}" stroke="#eeeeee"/>`,
    );
    out.push(
      `<text x="${xx.toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#555">${s > 0 ? '+' : ''}${s}s</text>`,
    );
  }
  out.push(
    `<text x="${labelW - 8}" y="${axisY + 14}" text-anchor="end" fill="#555">seconds from T0</text>`,
  );
  r.spans.forEach((s, i) => {
    const y = top + i * rowH;
    const start = Date.parse(s.start);
    const end = endOf(s);
    const x1 = x(start);
    const x2 = Math.max(x1 + 2, x(end));
    const clipped = start < min;
    const color = s.kind === 'phase' ? COLORS.phase : (COLORS[s.outcome] ?? '#000');
    out.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(s.name)}</text>`);
    out.push(
      `<rect data-span="${esc(s.name)}" x="${x1.toFixed(1)}" y="${y + 3}" width="${(x2 - x1).toFixed(1)}" height="${rowH - 7}" fill="${color}" rx="2"><title>${esc(s.name)}: ${s.durationMs === undefined ? '?' : (s.durationMs / 1000).toFixed(2)} s from T0${rel(start)}, ${s.outcome}</title></rect>`,
    );
    const text = `${s.durationMs === undefined ? '' : `${(s.durationMs / 1000).toFixed(2)} s`}${clipped ? ` (from T0${rel(start)})` : ''}`;
    if (text) {
      const right = x2 + 4 + text.length * 6.5 <= width;
      out.push(
        `<text x="${(right ? x2 + 4 : x1 - 4).toFixed(1)}" y="${y + 14}" fill="#333" text-anchor="${right ? 'start' : 'end'}">${esc(text)}</text>`,
      );
    }
  });
  out.push(
    `<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" stroke="#999"/>`,
  );
  // Every event's line first, then the markers and labels over them: a later event's line
  // must not paint over an earlier marker (T0 and "detected" can be milliseconds apart).
  r.events.forEach((e, i) => {
    const xx = x(Date.parse(e.at)).toFixed(1);
    out.push(
      `<line x1="${xx}" y1="${top - 8}" x2="${xx}" y2="${laneY + i * 16 - 4}" stroke="${EVENT_COLOR(e.name)}" stroke-dasharray="4 3"/>`,
    );
  });
  r.events.forEach((e, i) => {
    const at = Date.parse(e.at);
    const xx = x(at);
    const color = EVENT_COLOR(e.name);
    const ly = laneY + i * 16;
    out.push(
      `<path data-event="${esc(e.name)}" data-x="${xx.toFixed(1)}" d="M${xx.toFixed(1)} ${ly - 10} l-4 -7 h8 z" fill="${color}"/>`,
    );
    // The label starts at the marker, or ends at it near the right edge: never offset from it.
    const label = `${e.name} (T0${rel(at)})`;
    const right = xx + 8 + label.length * 6.5 <= width;
    out.push(
      `<text x="${(right ? xx + 7 : xx - 7).toFixed(1)}" y="${ly - 6}" fill="${color}" text-anchor="${right ? 'start' : 'end'}">${esc(label)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
