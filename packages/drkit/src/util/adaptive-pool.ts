import { sleep } from './net.js';

/** Options of {@link runAdaptive}. */
export interface AdaptivePoolOptions<T> {
  /** Most calls in flight (the configured concurrency). */
  readonly concurrency: number;
  /** True for an error that means "slow down" (S3's 503 SlowDown): the item is tried again. */
  readonly isThrottle: (err: unknown) => boolean;
  /** Called for an item whose call failed otherwise (or was throttled too often). */
  readonly onError: (item: T, err: unknown) => void;
  /** Stops starting new items once aborted. */
  readonly signal?: AbortSignal;
  /** Throttled tries of one item before it counts as failed. @default 8 */
  readonly maxThrottleRetries?: number;
  /** Base of the back-off after a throttle, in ms (full jitter, doubling per retry). @default 200 */
  readonly baseDelayMs?: number;
  /** Cap of one back-off, in ms. @default 20_000 */
  readonly maxDelayMs?: number;
}

/** What {@link runAdaptive} saw. */
export interface AdaptivePoolStats {
  /** Calls answered with a throttle (each retried after a back-off). */
  readonly throttled: number;
  /** The smallest window the pool shrank to. */
  readonly minWindow: number;
}

/**
 * Runs `fn` over `items` (pulled lazily: only the calls in flight are held) with a window of
 * calls in flight that adapts to the service (additive increase, multiplicative decrease, as
 * TCP): a throttled call halves the window and is tried again after a jittered back-off; a
 * window's worth of successes widens it by one, up to `concurrency`. So a restore keeps every
 * connection busy while the service allows it and backs off as soon as it says SlowDown.
 * Calls that were in flight together when the service said SlowDown are one signal: they
 * halve the window once (as TCP halves once per loss window), not once each — otherwise a
 * burst of 16 refusals would collapse a window of 16 to 1.
 */
export async function runAdaptive<T>(
  items: AsyncIterable<T>,
  fn: (item: T) => Promise<void>,
  opts: AdaptivePoolOptions<T>,
): Promise<AdaptivePoolStats> {
  const max = Math.max(1, Math.floor(opts.concurrency));
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 20_000;
  const retries = opts.maxThrottleRetries ?? 8;
  let window = max;
  let minWindow = max;
  let inFlight = 0;
  let okStreak = 0;
  let throttled = 0;
  /** Bumped by each halving: a throttled call started before it was already counted. */
  let epoch = 0;
  const waiters: Array<() => void> = [];
  const wake = () => {
    while (inFlight < window && waiters.length > 0) waiters.shift()!();
  };
  const acquire = async (): Promise<number> => {
    while (inFlight >= window) await new Promise<void>((r) => waiters.push(r));
    inFlight++;
    return epoch;
  };
  const release = () => {
    inFlight--;
    wake();
  };
  const it = items[Symbol.asyncIterator]();
  const worker = async () => {
    while (!opts.signal?.aborted) {
      const next = await it.next();
      if (next.done) return;
      for (let attempt = 0; ; attempt++) {
        const startedIn = await acquire();
        try {
          await fn(next.value);
          release();
          // only calls started since the last halving count towards widening again: the
          // successes of the old, wider window say nothing about the new one
          if (startedIn === epoch && ++okStreak >= window && window < max) {
            window++;
            okStreak = 0;
            wake();
          }
          break;
        } catch (err) {
          release();
          if (opts.isThrottle(err) && attempt < retries) {
            throttled++;
            if (startedIn === epoch) {
              epoch++;
              window = Math.max(1, Math.floor(window / 2));
              minWindow = Math.min(minWindow, window);
              okStreak = 0;
            }
            await sleep(Math.round(Math.random() * Math.min(cap, base * 2 ** attempt)));
            continue;
          }
          opts.onError(next.value, err);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: max }, worker));
  return { throttled, minWindow };
}
