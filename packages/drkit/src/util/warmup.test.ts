import { describe, expect, it } from 'vitest';
import { WarmupPacer, warmupRate } from './warmup.js';

describe('warm-up schedule', () => {
  const w = { startedAt: '2026-01-01T00:00:00Z', perMinute: [60, 300], stageSeconds: 600 };
  it('GIVEN a schedule WHEN asked the rate THEN each stage holds for stageSeconds and the last one after', () => {
    expect(warmupRate(w, new Date('2025-12-31T23:00:00Z'))).toBe(60);
    expect(warmupRate(w, new Date('2026-01-01T00:09:59Z'))).toBe(60);
    expect(warmupRate(w, new Date('2026-01-01T00:10:00Z'))).toBe(300);
    expect(warmupRate(w, new Date('2026-01-02T00:00:00Z'))).toBe(300);
  });
  it('GIVEN 1200/min WHEN five sends are paced THEN they take at least 4 × 50 ms', async () => {
    const p = new WarmupPacer({ ...w, startedAt: new Date().toISOString(), perMinute: [1200] });
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await p.wait();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
  });
});
