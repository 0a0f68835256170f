import { describe, expect, it } from 'vitest';
import { checkWarmup, measureEmailLoss } from './email-measure.js';

describe('email drill measures', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  it('GIVEN deliveries on two providers WHEN measured THEN lost and doubled Message-IDs are named, and the first delivery via the secondary after T0', () => {
    const m = measureEmailLoss(
      ['a', 'b', 'c', 'd'],
      [
        { messageId: 'a', provider: 'primary', at: t(1) },
        { messageId: 'b', provider: 'secondary', at: t(3) },
        { messageId: 'c', provider: 'secondary', at: t(4) },
        { messageId: 'c', provider: 'primary', at: t(2) },
      ],
      'secondary',
      t(2),
    );
    expect(m).toEqual({ critical: 4, lost: ['d'], twice: ['c'], firstVia: t(3) });
  });
  it('GIVEN sends at 1/s under a 60/min schedule THEN no window over; at 5/s THEN windows over and the peak named', () => {
    const w = { startedAt: t(0).toISOString(), perMinute: [60], stageSeconds: 60 };
    const slow = Array.from({ length: 20 }, (_, i) => t(i));
    expect(checkWarmup(slow, w).overWindows).toBe(0);
    const fast = Array.from({ length: 50 }, (_, i) => new Date(t(0).getTime() + i * 200));
    const r = checkWarmup(fast, w);
    expect(r.overWindows).toBeGreaterThan(0);
    expect(r.peakPerMinute).toBeGreaterThanOrEqual(300);
    expect(r.allowedPerMinute).toBe(60);
  });
});
