import type { DrillReport } from './drill-report.js';

const COLORS: Record<string, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  skipped: '#9e9e9e',
  interrupted: '#ef6c00',
  phase: '#1565c0',
};

function esc(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}

/**
 * The drill's timeline as a self-contained SVG: one bar per step or phase on a shared time
 * axis (seconds from T0), with vertical markers for events (T0, detection, recovery…).
 */
export function renderTimelineSvg(r: DrillReport): string {
  const t0 = Date.parse(r.events.find((e) => e.name === 'T0')?.at ?? r.startedAt);
  const times = [
    ...r.spans.flatMap((s) => [
      Date.parse(s.start),
      s.end ? Date.parse(s.end) : Date.parse(s.start),
    ]),
    ...r.events.map((e) => Date.parse(e.at)),
    Date.parse(r.startedAt),
    Date.parse(r.endedAt),
  ];
  const min = Math.min(...times);
  const max = Math.max(...times, min + 1000);
  const labelW = 230;
  const width = 1000;
  const plotW = width - labelW - 30;
  const rowH = 22;
  const top = 40;
  const height = top + r.spans.length * rowH + 30 + r.events.length * 16 + 20;
  const x = (ms: number) => labelW + ((ms - min) / (max - min)) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(r.title)} — RTO ${r.achieved.rtoSeconds?.toFixed(1) ?? 'n/a'} s, RPO ${r.achieved.rpoSeconds?.toFixed(1) ?? 'n/a'} s</text>`,
  );
  // Axis ticks every "nice" step, labelled relative to T0.
  const span = (max - min) / 1000;
  const step =
    [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => span / s <= 12) ?? 3600;
  const axisY = top + r.spans.length * rowH + 5;
  for (let s = Math.ceil((min - t0) / 1000 / step) * step; t0 + s * 1000 <= max; s += step) {
    const xx = x(t0 + s * 1000);
    out.push(`<line x1="${xx}" y1="${top - 5}" x2="${xx}" y2="${axisY}" stroke="#eeeeee"/>`);
    out.push(
      `<text x="${xx}" y="${axisY + 14}" text-anchor="middle" fill="#555">${s >= 0 ? '+' : ''}${s}s</text>`,
    );
  }
  r.spans.forEach((s, i) => {
    const y = top + i * rowH;
    const x1 = x(Date.parse(s.start));
    const x2 = Math.max(x1 + 2, x(s.end ? Date.parse(s.end) : Date.parse(s.start)));
    const color = s.kind === 'phase' ? COLORS.phase : (COLORS[s.outcome] ?? '#000');
    out.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(s.name)}</text>`);
    out.push(
      `<rect x="${x1.toFixed(1)}" y="${y + 3}" width="${(x2 - x1).toFixed(1)}" height="${rowH - 7}" fill="${color}" rx="2"><title>${esc(s.name)}: ${s.durationMs === undefined ? '?' : (s.durationMs / 1000).toFixed(2)} s, ${s.outcome}</title></rect>`,
    );
    if (s.durationMs !== undefined)
      out.push(
        `<text x="${(x2 + 4).toFixed(1)}" y="${y + 14}" fill="#333">${(s.durationMs / 1000).toFixed(2)} s</text>`,
      );
  });
  r.events.forEach((e, i) => {
    const xx = x(Date.parse(e.at));
    const color = e.name === 'T0' ? '#c62828' : e.name === 'recovered' ? '#2e7d32' : '#6a1b9a';
    out.push(
      `<line x1="${xx.toFixed(1)}" y1="${top - 8}" x2="${xx.toFixed(1)}" y2="${axisY}" stroke="${color}" stroke-dasharray="4 3"/>`,
    );
    const ly = axisY + 34 + i * 16;
    out.push(
      `<text x="${xx.toFixed(1)}" y="${ly}" fill="${color}" text-anchor="${xx > width - 200 ? 'end' : 'start'}">▲ ${esc(e.name)} (${((Date.parse(e.at) - t0) / 1000).toFixed(2)} s)</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
