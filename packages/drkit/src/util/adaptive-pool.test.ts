import { describe, expect, it } from 'vitest';
import { runAdaptive } from './adaptive-pool.js';
import { sleep } from './net.js';

/** What S3 answers past its request rate (the adapter translates it to THROTTLED). */
class SlowDown extends Error {
  readonly throttle = true;
}
const isThrottle = (e: unknown) => e instanceof SlowDown;

async function* count(n: number, pulled?: { n: number }): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (pulled) pulled.n++;
    yield i;
  }
}

/**
 * A stand-in for a rate-limited service: it admits `capacity` calls at once and answers
 * SlowDown to a call that arrives while `capacity` are in flight (or to the calls `throttleIf`
 * names); it records how many calls were in flight at each admitted call and which items it
 * completed.
 */
function service(opts: { capacity?: number; throttleIf?: (call: number) => boolean }) {
  const s = { inFlight: 0, calls: 0, admittedAt: [] as number[], done: [] as number[] };
  const fn = async (item: number) => {
    const call = s.calls++;
    s.inFlight++;
    try {
      const over = opts.capacity !== undefined && s.inFlight > opts.capacity;
      await sleep(2);
      if (over || opts.throttleIf?.(call)) throw new SlowDown('503 SlowDown');
      s.admittedAt.push(s.inFlight);
      s.done.push(item);
    } finally {
      s.inFlight--;
    }
  };
  return { s, fn };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number) => [...Array(n).keys()];

describe('runAdaptive', () => {
  it('GIVEN the first wave of 8 calls all answered SlowDown THEN the window halves once (8 → 4), not once per call, and grows back to 8', async () => {
    const { s, fn } = service({ throttleIf: (call) => call < 8 });
    const errors: unknown[] = [];
    const stats = await runAdaptive(count(200), fn, {
      concurrency: 8,
      isThrottle,
      onError: (_i, e) => errors.push(e),
      baseDelayMs: 1,
    });
    expect(errors).toEqual([]);
    expect(stats).toEqual({ throttled: 8, minWindow: 4 });
    expect(sorted(s.done)).toEqual(range(200));
    // right after the SlowDown wave at most 4 calls are in flight; by the end, 8 again
    expect(Math.max(...s.admittedAt.slice(0, 4))).toBeLessThanOrEqual(4);
    expect(Math.max(...s.admittedAt.slice(-40))).toBe(8);
  });

  it('GIVEN a service that admits 3 calls at once and a pool of 16 THEN every item is done exactly once and it is refused fewer times than there are items (the window settles near 3)', async () => {
    const { s, fn } = service({ capacity: 3 });
    const errors: unknown[] = [];
    const stats = await runAdaptive(count(300), fn, {
      concurrency: 16,
      isThrottle,
      onError: (_i, e) => errors.push(e),
      baseDelayMs: 1,
      maxThrottleRetries: 50,
    });
    expect(errors).toEqual([]);
    expect(sorted(s.done)).toEqual(range(300));
    expect(stats.minWindow).toBeLessThanOrEqual(3);
    expect(stats.throttled).toBeGreaterThan(0);
    // a fixed pool of 16 would be refused ~13 times in 16 calls (~4 refusals per item); the
    // adaptive one fewer times than there are items (a window's worth per halving: the
    // refusal comes back one call latency late)
    expect(stats.throttled).toBeLessThan(300);
    expect(s.calls).toBe(300 + stats.throttled);
  });

  it('GIVEN a non-retryable error THEN onError gets that item and error once, the item is not retried, the others are done', async () => {
    const calls = new Map<number, number>();
    const done: number[] = [];
    const failed: Array<[number, unknown]> = [];
    const boom = new Error('AccessDenied');
    await runAdaptive(
      count(50),
      async (i) => {
        calls.set(i, (calls.get(i) ?? 0) + 1);
        await sleep(1);
        if (i === 7) throw boom;
        done.push(i);
      },
      { concurrency: 4, isThrottle, onError: (i, e) => failed.push([i, e]), baseDelayMs: 1 },
    );
    expect(failed).toEqual([[7, boom]]);
    expect(calls.get(7)).toBe(1);
    expect(sorted(done)).toEqual(range(50).filter((i) => i !== 7));
  });

  it('GIVEN an item throttled more than maxThrottleRetries times THEN it surfaces as failed after retries + 1 calls', async () => {
    let tries = 0;
    const failed: Array<[number, unknown]> = [];
    const stats = await runAdaptive(
      count(3),
      async (i) => {
        if (i !== 1) return;
        tries++;
        throw new SlowDown('503 SlowDown');
      },
      {
        concurrency: 2,
        isThrottle,
        onError: (i, e) => failed.push([i, e]),
        maxThrottleRetries: 3,
        baseDelayMs: 1,
      },
    );
    expect(tries).toBe(4);
    expect(stats.throttled).toBe(3);
    expect(failed).toHaveLength(1);
    expect(failed[0]![0]).toBe(1);
    expect(failed[0]![1]).toBeInstanceOf(SlowDown);
  });

  it('GIVEN a long item source THEN items are pulled lazily (never more than the window ahead); GIVEN an abort THEN no new item starts', async () => {
    const pulled = { n: 0 };
    let done = 0;
    let ahead = 0;
    const ac = new AbortController();
    await runAdaptive(
      count(10_000, pulled),
      async () => {
        ahead = Math.max(ahead, pulled.n - done);
        await sleep(1);
        if (++done === 40) ac.abort();
      },
      { concurrency: 4, isThrottle, onError: () => undefined, signal: ac.signal },
    );
    expect(ahead).toBeLessThanOrEqual(4);
    expect(done).toBeGreaterThanOrEqual(40);
    expect(done).toBeLessThan(40 + 4);
  });
});
