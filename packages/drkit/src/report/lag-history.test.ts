import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricSample } from '../ports/metrics.js';
import { LagHistory, lagPointsFromSamples, readLagHistory } from './lag-history.js';

const g = (name: string, labels: Record<string, string>, value: number): MetricSample => ({
  name,
  help: '',
  labels,
  value,
});
const SAMPLES = [
  g('drkit_primary_up', { cluster: 'region-a' }, 1),
  g('drkit_archive_last_success_age_seconds', { cluster: 'region-a' }, 4.5),
  g('drkit_replica_lag_seconds', { cluster: 'region-a', standby: 'region-b' }, 0.25),
  g('drkit_replica_lag_bytes', { cluster: 'region-a', standby: 'region-b' }, 8192),
  g('drkit_newest_backup_age_seconds', { cluster: 'region-a' }, 60),
];
const T = new Date('2026-12-02T10:00:00.000Z');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'drkit-lag-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lag history', () => {
  it('GIVEN metric samples WHEN turned into points THEN one per primary with its archive and standby lag, nothing else', () => {
    expect(lagPointsFromSamples(SAMPLES, 'verify', T)).toEqual([
      {
        at: T.toISOString(),
        source: 'verify',
        cluster: 'region-a',
        archiveLagSeconds: 4.5,
        standbys: [{ name: 'region-b', lagSeconds: 0.25, lagBytes: 8192 }],
      },
    ]);
    expect(lagPointsFromSamples([SAMPLES[0]!, SAMPLES[4]!], 'metrics', T)).toEqual([]);
  });

  it('GIVEN samples recorded WHEN read back THEN oldest first; a torn line is skipped and counted', () => {
    const h = new LagHistory(dir);
    expect(h.record(SAMPLES, 'metrics', new Date(T.getTime() + 1000))).toEqual({ written: 1 });
    expect(h.record(SAMPLES, 'verify', T)).toEqual({ written: 1 });
    appendFileSync(h.file, '{"at": "2026-12-02T1\n');
    const r = readLagHistory(dir);
    expect(r.points.map((p) => p.source)).toEqual(['verify', 'metrics']);
    expect(r.skippedLines).toBe(1);
    expect(readLagHistory(path.join(dir, 'none'))).toMatchObject({ points: [], skippedLines: 0 });
  });

  it('GIVEN a minimum interval WHEN samples come faster THEN only one per interval is kept', () => {
    const h = new LagHistory(dir, { minIntervalMs: 10_000 });
    const at = (s: number) => new Date(T.getTime() + s * 1000);
    const written = [0, 1, 5, 10, 12, 20].map((s) => h.record(SAMPLES, 'metrics', at(s)).written);
    expect(written).toEqual([1, 0, 0, 1, 0, 1]);
  });

  it('GIVEN a size bound WHEN many samples are appended THEN the file stays under it and keeps the newest samples whole', () => {
    const h = new LagHistory(dir, { maxBytes: 4096 });
    for (let i = 0; i < 500; i++) h.record(SAMPLES, 'metrics', new Date(T.getTime() + i * 1000));
    expect(statSync(h.file).size).toBeLessThanOrEqual(4096);
    const r = readLagHistory(dir);
    expect(r.skippedLines).toBe(0);
    expect(r.points.at(-1)!.at).toBe(new Date(T.getTime() + 499_000).toISOString());
    expect(r.points.length).toBeGreaterThan(5);
    expect(readFileSync(h.file, 'utf8').startsWith('{"at"')).toBe(true);
  });

  it('GIVEN a state directory that cannot be written WHEN recording THEN the error is returned, never thrown', () => {
    const blocked = path.join(dir, 'file');
    appendFileSync(blocked, '');
    const r = new LagHistory(blocked).record(SAMPLES, 'verify', T);
    expect(r.written).toBe(0);
    expect(r.error).toMatch(/ENOTDIR|EEXIST/);
  });
});
