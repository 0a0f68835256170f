import { PreconditionError, StepTimeoutError } from '../../../engine/errors.js';
import type { Step, StepContext } from '../../../engine/step.js';
import type { AppTasks } from '../../../ports/app-tasks.js';
import type { AppCache, Cache } from '../../../ports/cache.js';
import { sleep } from '../../../util/net.js';
import { probeAppliedConfig } from '../freeze-confirmation.js';

/** What the flush records: how many keys it removed, and when the prefix was seen empty. */
export interface CacheFlushRecord {
  readonly prefix: string;
  readonly where: string;
  /** Keys this attempt removed (a resumed flush counts only its own). */
  readonly keysDeleted: number;
  readonly batches: number;
  /** SCAN passes until one found nothing. */
  readonly passes: number;
  readonly flushedAt: string;
}

/** What the flush step reads from and records in a runbook's state. */
export interface FlushCacheState {
  /** The app's key prefix, fixed when the run was prepared (the app config's `cache.prefix`). */
  cachePrefix?: string;
  cacheFlush?: CacheFlushRecord;
}

/** Options of {@link flushCacheStep}. */
export interface FlushCacheOptions<S extends object> {
  /** The app's tasks: each must apply the recovered database before the flush. @default none: no wait */
  readonly appTasks?: AppTasks;
  /** The cluster every task must report on `/healthz` first (the restored one). @default no wait */
  readonly clusterOf?: (state: Readonly<S>) => string | undefined;
  /** Keys per SCAN call and per UNLINK. @default 500 */
  readonly batch?: number;
  /** How long the tasks have to apply the new cluster. @default 10 000 */
  readonly confirmTimeoutMs?: number;
}

const MAX_PASSES = 5;

/**
 * Removes every key under the app's prefix from its cache, after a restore changed the
 * database underneath it: without it the app serves what the restore took away (seed 003's
 * "Clear caches"). Targeted — SCAN MATCH `<prefix>*` and UNLINK in batches — never FLUSHALL,
 * as the cache may be shared. It first waits until every app task reports the recovered
 * cluster (a task still on the old database would refill the cache with old data), then
 * scans until a pass finds nothing. Safe to run twice (a resumed run scans what is left);
 * skipped when the provider binds no cache or the app has none. The dry run prints the
 * commands only.
 */
export function flushCacheStep<S extends FlushCacheState>(
  cache: AppCache | undefined,
  opts: FlushCacheOptions<S> = {},
): Step<S> {
  const batch = opts.batch ?? 500;
  return {
    id: 'flush-cache',
    title: "Flush the app's keys from its cache (by prefix, verified)",
    retry: { attempts: 3 },
    when: (ctx) => cache !== undefined && !!ctx.state.cachePrefix,
    async plan(ctx) {
      if (!cache || !ctx.state.cachePrefix)
        return ['no cache configured for the app: nothing to flush'];
      const cluster = opts.clusterOf?.(ctx.state);
      return [
        ...(opts.appTasks && opts.clusterOf
          ? [
              `wait until every app task reports cluster '${cluster ?? '<the restored cluster>'}' on GET /healthz`,
            ]
          : []),
        ...(await cache.cache.planFlushPrefix(ctx.state.cachePrefix, batch)),
      ];
    },
    async run(ctx) {
      const prefix = ctx.state.cachePrefix!;
      await waitForTasks(ctx, opts);
      const c = cache!.cache;
      let keysDeleted = 0;
      let batches = 0;
      let passes = 0;
      for (;;) {
        passes++;
        const found = await flushPass(c, prefix, batch, ctx.signal);
        keysDeleted += found.deleted;
        batches += found.batches;
        if (found.seen === 0) break;
        ctx.progress(`pass ${passes}: ${found.deleted} keys under '${prefix}' removed`);
        if (passes >= MAX_PASSES)
          throw new PreconditionError(
            `keys keep appearing under '${prefix}' after ${passes} passes (${keysDeleted} removed)`,
            {
              hint: 'something still writes the old data into the cache: check that every app task points at the restored database',
            },
          );
      }
      return {
        cacheFlush: {
          prefix,
          where: await c.where(),
          keysDeleted,
          batches,
          passes,
          flushedAt: new Date().toISOString(),
        },
      } as Partial<S>;
    },
    async verify(ctx) {
      const prefix = ctx.state.cachePrefix!;
      let left = 0;
      const sample: string[] = [];
      for await (const keys of cache!.cache.scanPrefix(prefix, { count: batch })) {
        left += keys.length;
        sample.push(...keys.slice(0, 3 - sample.length));
      }
      if (left > 0)
        throw new Error(
          `${left} keys still under '${prefix}' after the flush (e.g. ${sample.join(', ')})`,
        );
    },
  };
}

/** One SCAN through the prefix, each batch unlinked as it comes. */
async function flushPass(
  c: Cache,
  prefix: string,
  batch: number,
  signal: AbortSignal,
): Promise<{ seen: number; deleted: number; batches: number }> {
  let seen = 0;
  let deleted = 0;
  let batches = 0;
  for await (const keys of c.scanPrefix(prefix, { count: batch })) {
    signal.throwIfAborted();
    seen += keys.length;
    for (let i = 0; i < keys.length; i += batch) {
      deleted += await c.unlink(keys.slice(i, i + batch));
      batches++;
    }
  }
  return { seen, deleted, batches };
}

/** Waits until every app task applies the recovered cluster (when tasks and a cluster are given). */
async function waitForTasks<S extends object>(
  ctx: StepContext<S>,
  opts: FlushCacheOptions<S>,
): Promise<void> {
  const cluster = opts.clusterOf?.(ctx.state);
  if (!opts.appTasks || !cluster) return;
  const tasks = await opts.appTasks.list();
  const deadline = Date.now() + (opts.confirmTimeoutMs ?? 10_000);
  let behind = tasks.map((t) => t.id);
  while (behind.length) {
    const reports = await Promise.all(
      tasks.map(async (t) => [t, await probeAppliedConfig(t.address)] as const),
    );
    behind = reports.filter(([, r]) => r?.dbClusterId !== cluster).map(([t]) => t.id);
    if (!behind.length) break;
    if (Date.now() > deadline)
      throw new StepTimeoutError(
        `app tasks ${behind.join(', ')} do not apply cluster '${cluster}' yet: flushing now would let them refill the cache from the old database`,
        {
          retryable: true,
          hint: 'check that the tasks re-read the app config and answer /healthz',
        },
      );
    await sleep(100);
  }
  ctx.progress(`${tasks.length} app task(s) read from '${cluster}'`);
}
