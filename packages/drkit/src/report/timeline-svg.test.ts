import { execFileSync, spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DrillReport } from './drill-report.js';
import { renderTimelineSvg, TIMELINE_LAYOUT } from './timeline-svg.js';

const T0 = Date.parse('2026-11-22T03:29:20.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const step = (name: string, from: number, to: number) => ({
  name,
  start: at(from),
  end: at(to),
  outcome: 'succeeded' as const,
  durationMs: (to - from) * 1000,
  kind: 'step' as const,
});

/** A PITR drill as the lab runs it: 11 s of set-up before T0, 2 s of runbook after it. */
const report: DrillReport = {
  scenario: 'pitr',
  drillId: 'pitr-x',
  title:
    'Q1 drill — PostgreSQL point-in-time restore after a bad mass delete (RB-N-02), on the two-task lab with a confirmed freeze',
  startedAt: at(-11.2),
  endedAt: at(12),
  outcome: 'passed',
  targets: { rtoTargetMinutes: 30, rpoTargetSeconds: 300 },
  achieved: { rtoSeconds: 2.1, rpoSeconds: 0.173, lostWrites: 4, acknowledgedWrites: 278 },
  variance: { rtoSeconds: -1797.9, rpoSeconds: -299.83 },
  met: { rto: true, rpo: true },
  events: [
    { name: 'workload started', at: at(-5.1) },
    { name: 'T0', at: at(0) },
    { name: 'detected', at: at(0.004) },
    { name: 'recovered', at: at(2.1) },
  ],
  spans: [
    { ...step('lab up', -11.1, -5.8), kind: 'phase' },
    { ...step('checksums before corruption', -2.1, -2.05), kind: 'phase' },
    step('freeze-writes', 0.04, 0.27),
    step('restore-to-time', 0.28, 1.9),
    step('validate', 1.9, 1.96),
    step('swap-connections', 1.96, 1.962),
    step('unfreeze-writes', 1.962, 1.964),
    step('retire-old-cluster', 1.964, 5.65),
    step('notify', 5.65, 5.66),
  ],
  facts: {},
  followUps: [],
  bands: [
    { kind: 'outage', start: at(0.2), end: at(2.1), label: 'write outage 1.90 s' },
    { kind: 'loss', start: at(-0.03), end: at(0.143), label: '4 acknowledged writes lost' },
  ],
};

function markers(svg: string): Map<string, { x: number; labelX: number; anchor: string }> {
  const out = new Map<string, { x: number; labelX: number; anchor: string }>();
  const re =
    /<path data-event="([^"]+)" data-x="([\d.]+)"[^>]*\/>\n<text x="([\d.]+)" y="[\d.]+" fill="[^"]+" text-anchor="(start|end)">/g;
  for (const m of svg.matchAll(re))
    out.set(m[1]!, { x: Number(m[2]), labelX: Number(m[3]), anchor: m[4]! });
  return out;
}

function spanBox(svg: string, name: string): { x: number; width: number } {
  const m = svg.match(
    new RegExp(`<rect data-span="${name}" x="([\\d.]+)" y="\\d+" width="([\\d.]+)"`),
  );
  if (!m) throw new Error(`no bar for ${name}`);
  return { x: Number(m[1]), width: Number(m[2]) };
}

/** Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what rsvg-convert writes) to RGBA rows. */
function decodePng(buf: Buffer): {
  width: number;
  height: number;
  rgba: (x: number, y: number) => number[];
} {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? px[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f]!;
      px[y * stride + i] = (v + pred) & 0xff;
    }
  }
  return {
    width,
    height,
    rgba: (x, y) => [...px.subarray(y * stride + x * channels, y * stride + x * channels + 3)],
  };
}

const hasRsvg = spawnSync('rsvg-convert', ['--version']).status === 0;

describe('timeline SVG', () => {
  const svg = renderTimelineSvg(report);
  const m = markers(svg);

  it('draws each event marker at its time, in order, with its label starting or ending at the marker', () => {
    expect([...m.keys()]).toEqual(['workload started', 'T0', 'detected', 'recovered']);
    expect(m.get('T0')!.x).toBeLessThan(m.get('recovered')!.x);
    for (const { x, labelX } of m.values()) expect(Math.abs(labelX - x)).toBeLessThanOrEqual(8);
  });

  it('spans the incident, not the lab set-up: the runbook steps are wide enough to read', () => {
    const plotW = TIMELINE_LAYOUT.width - TIMELINE_LAYOUT.labelW - TIMELINE_LAYOUT.rightPad;
    expect(spanBox(svg, 'restore-to-time').width).toBeGreaterThan(plotW * 0.15);
    // Set-up before the axis is pinned to its left edge with its true start in the label.
    expect(spanBox(svg, 'lab up').x).toBe(TIMELINE_LAYOUT.labelW);
    expect(svg).toContain('(from T0−11.10 s)');
    // One second of time is the same width everywhere: recovered − T0 = 2.1 s.
    const pxPerS = (m.get('recovered')!.x - m.get('T0')!.x) / 2.1;
    expect(spanBox(svg, 'restore-to-time').width).toBeCloseTo(1.62 * pxPerS, 0);
  });

  it('states RTO, RPO and the loss in full in the title, with a legend and the outage and loss bands', () => {
    const titles = [...svg.matchAll(/<text x="10" y="\d+" font-size="14"[^>]*>([^<]*)</g)].map(
      (x) => x[1]!,
    );
    expect(titles.length).toBeGreaterThan(1); // wrapped, not clipped
    for (const t of titles) expect(t.length * 8).toBeLessThan(TIMELINE_LAYOUT.width);
    expect(svg).toContain('RPO 0.17 s (target 300 s) · 4 of 278 acknowledged writes lost');
    expect(svg).toMatch(/data-role="legend">write outage</);
    expect(svg).toMatch(/<rect data-band="outage"/);
    expect(svg).toMatch(/<rect data-band="loss"/);
  });

  it.skipIf(!hasRsvg)(
    'renders to PNG with the markers where the SVG says (rsvg-convert, librsvg2-bin)',
    () => {
      const png = decodePng(execFileSync('rsvg-convert', ['--format', 'png'], { input: svg }));
      expect(png.width).toBe(TIMELINE_LAYOUT.width);
      const markerY = (name: string) => {
        const mm = svg.match(
          new RegExp(`data-event="${name}" data-x="[\\d.]+" d="M[\\d.]+ ([\\d.]+)`),
        );
        return Number(mm![1]) - 4; // inside the triangle, above its apex
      };
      const red = png.rgba(Math.round(m.get('T0')!.x), markerY('T0'));
      const green = png.rgba(Math.round(m.get('recovered')!.x), markerY('recovered'));
      expect(red[0]!).toBeGreaterThan(150);
      expect(red[1]!).toBeLessThan(100);
      expect(green[1]!).toBeGreaterThan(100);
      expect(green[0]!).toBeLessThan(100);
    },
  );
});
