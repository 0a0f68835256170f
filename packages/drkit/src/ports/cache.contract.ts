import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DrError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { Cache } from './cache.js';

/** The cases of the {@link Cache} contract, by id (the keys of a reasoned skip). */
export type CacheCase =
  | 'scan-by-prefix'
  | 'literal-prefix'
  | 'batches'
  | 'unlink-idempotent'
  | 'plan-changes-nothing'
  | 'unreachable-is-retryable';

/** One backend under test, with what the suite needs from outside the port. */
export interface CacheWorld {
  readonly cache: Cache;
  /** Writes keys through the backend's own client (not the adapter). */
  seed(keys: readonly string[]): Promise<void>;
  /** Whether a key exists, read through the backend's own client. */
  exists(key: string): Promise<boolean>;
  /** A cache of the same kind that cannot be reached. */
  unreachable(): Cache;
  close?(): Promise<void>;
}

async function all(c: Cache, prefix: string, count?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const b of c.scanPrefix(prefix, count ? { count } : {})) out.push(...b);
  return [...new Set(out)].sort();
}

/**
 * The {@link Cache} contract (see `cache.ts`): SCAN by a literal prefix, every key in batches,
 * UNLINK idempotent, plans that change nothing, an unreachable cache a retryable `DrError`.
 * Call it at the top level of a test file; `world` runs once, in the suite's `beforeAll`.
 */
export function cacheContract(
  backend: string,
  world: () => CacheWorld | Promise<CacheWorld>,
  opts: { readonly skip?: ContractSkips<CacheCase> } = {},
): void {
  describe(`Cache contract: ${backend}`, () => {
    let w: CacheWorld;
    beforeAll(async () => {
      w = await world();
    });
    afterAll(async () => {
      await w?.cache.close();
      await w?.close?.();
    });
    const it = contractCases(opts.skip);

    it(
      'scan-by-prefix',
      'GIVEN keys under a prefix and others WHEN scanPrefix THEN exactly the prefix’s keys',
      async () => {
        const p = `${uniqueName('app')}:`;
        await w.seed([`${p}user:1`, `${p}order:2`, `other:${p}user:1`, `${p.slice(0, -1)}x:1`]);
        expect(await all(w.cache, p)).toEqual([`${p}order:2`, `${p}user:1`]);
      },
    );

    it(
      'literal-prefix',
      'GIVEN a prefix with glob characters WHEN scanPrefix THEN they match literally',
      async () => {
        const base = uniqueName('g');
        const p = `${base}[1]*?:`;
        await w.seed([`${p}a`, `${base}1x:a`, `${base}[1]zz:a`]);
        expect(await all(w.cache, p)).toEqual([`${p}a`]);
      },
    );

    it(
      'batches',
      'GIVEN 1200 keys WHEN scanPrefix with count 100 THEN every key, in several batches',
      async () => {
        const p = `${uniqueName('many')}:`;
        const keys = Array.from({ length: 1200 }, (_, i) => `${p}k${i}`);
        await w.seed(keys);
        let batches = 0;
        const seen = new Set<string>();
        for await (const b of w.cache.scanPrefix(p, { count: 100 })) {
          batches++;
          for (const k of b) seen.add(k);
        }
        expect(seen.size).toBe(1200);
        expect(batches).toBeGreaterThan(1);
      },
    );

    it(
      'unlink-idempotent',
      'GIVEN keys WHEN unlink twice THEN the count removed, then 0; absent keys no error',
      async () => {
        const p = `${uniqueName('del')}:`;
        await w.seed([`${p}a`, `${p}b`]);
        expect(await w.cache.unlink([`${p}a`, `${p}b`, `${p}never`])).toBe(2);
        expect(await w.cache.unlink([`${p}a`, `${p}b`])).toBe(0);
        expect(await w.exists(`${p}a`)).toBe(false);
        expect(await w.cache.unlink([])).toBe(0);
      },
    );

    it(
      'plan-changes-nothing',
      'GIVEN keys WHEN planFlushPrefix THEN it names the prefix, no FLUSHALL command, and every key stays',
      async () => {
        const p = `${uniqueName('plan')}:`;
        await w.seed([`${p}a`]);
        const plan = (await w.cache.planFlushPrefix(p, 250)).join('\n');
        expect(plan).toContain(p);
        expect(plan).toContain('250');
        expect(plan).not.toMatch(/^\S+ FLUSHALL|; FLUSHALL|^FLUSHALL/m);
        expect(await w.exists(`${p}a`)).toBe(true);
      },
    );

    it(
      'unreachable-is-retryable',
      'GIVEN a cache nobody serves WHEN scanPrefix THEN a retryable DrError',
      async () => {
        const c = w.unreachable();
        try {
          const err = await all(c, 'x:').catch((e: unknown) => e);
          expect(err).toBeInstanceOf(DrError);
          expect((err as DrError).retryable).toBe(true);
        } finally {
          await c.close();
        }
      },
    );
  });
}
