import { describe, expect, it } from 'vitest';
import { isolationFigures, type Probe } from './breach-prober.js';

const T = Date.parse('2026-12-02T10:00:00Z');
const probe = (path: string, ms: number, status: number | undefined, isolated = false): Probe => ({
  path,
  sentAt: T + ms,
  at: T + ms + 2,
  status,
  isolated,
});
const at = (ms: number) => new Date(T + ms);

describe('isolationFigures', () => {
  it('GIVEN served probes, then refusals, then served again THEN isolation is the first refusal after the last served probe, access back at the first served one after the last refusal', () => {
    const probes = [
      probe('/users/1', 0, 200),
      probe('/users/1', 20, 200),
      probe('/users/1', 40, 503, true),
      probe('/users/1', 60, 503, true),
      probe('/users/1', 80, 503, true),
      probe('/users/1', 100, 503, true),
      probe('/users/1', 120, 200),
      probe('/users/1', 140, 200),
      probe('/healthz', 50, 200),
      probe('/healthz', 90, 200),
      probe('/status', 70, 404),
    ];
    const f = isolationFigures(probes, '/users/1', '/healthz', '/status', at(10), at(50), at(110));
    expect(f.isolatedAt).toEqual(at(40));
    expect(f.servedWhileIsolated).toBe(0);
    expect(f.refusedWhileIsolated).toBe(3);
    expect(f.accessRestoredAt).toEqual(at(120));
    expect(f).toMatchObject({ healthProbes: 2, healthFailed: 0, statusProbes: 1 });
    expect(f.statusRefusedByIsolation).toBe(0);
  });
  it('GIVEN a probe served after the runbook said isolated THEN it is counted, and the isolation is taken after it (late, not flattering)', () => {
    const probes = [
      probe('/users/1', 0, 200),
      probe('/users/1', 20, 503, true),
      probe('/users/1', 40, 200),
      probe('/users/1', 60, 503, true),
      probe('/healthz', 70, 503, true),
      probe('/status', 75, 503, true),
    ];
    const f = isolationFigures(probes, '/users/1', '/healthz', '/status', at(0), at(30), at(100));
    expect(f.servedWhileIsolated).toBe(1);
    expect(f.isolatedAt).toEqual(at(60));
    expect(f.healthFailed).toBe(1);
    expect(f.statusRefusedByIsolation).toBe(1);
    expect(f.accessRestoredAt).toBeUndefined();
  });
});
