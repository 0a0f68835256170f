/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight, in item order of start.
 * Resolves when every started call has settled; `fn` handles its own errors (a throw from
 * `fn` rejects the whole run after the in-flight calls settle). Stops starting new items
 * once `signal` is aborted.
 */
export async function forEachLimited<T>(
  items: ReadonlyArray<T>,
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length && firstError === undefined && !signal?.aborted) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        firstError ??= err;
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (firstError !== undefined) throw firstError;
}
