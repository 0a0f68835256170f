import { describe, expect, it } from 'vitest';
import { forEachLimited } from './limit.js';

describe('forEachLimited', () => {
  it('GIVEN 50 items and concurrency 4 THEN never more than 4 in flight and every item runs once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited([...Array(50).keys()], 4, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      seen.push(i);
      inFlight--;
    });
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('GIVEN a throwing fn THEN it rejects and starts nothing new', async () => {
    const started: number[] = [];
    await expect(
      forEachLimited([...Array(20).keys()], 2, async (i) => {
        started.push(i);
        if (i === 3) throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(started.length).toBeLessThan(20);
  });

  it('GIVEN an aborted signal THEN nothing starts; GIVEN no items THEN resolves', async () => {
    const ac = new AbortController();
    ac.abort();
    let n = 0;
    await forEachLimited([1, 2, 3], 2, async () => void n++, ac.signal);
    expect(n).toBe(0);
    await forEachLimited([], 8, async () => undefined);
  });
});
