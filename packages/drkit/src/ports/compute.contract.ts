import { beforeAll, describe, expect } from 'vitest';
import { DrError } from '../engine/errors.js';
import { contractCases, type ContractSkips } from '../testing/contract.js';
import type { Compute } from './compute.js';

/** The cases of the {@link Compute} contract, by id (the keys of a reasoned skip). */
export type ComputeCase =
  | 'scale-up'
  | 'healthy-on-return'
  | 'scale-idempotent'
  | 'scale-zero'
  | 'tasks-of-region'
  | 'unknown-region';

/** One backend under test, with what the suite needs from outside the port. */
export interface ComputeWorld {
  readonly compute: Compute;
  /** A region with at least two task slots, scaled by the suite. */
  readonly region: string;
  /** Tasks running in `region`, as the backend itself counts them (not through the adapter). */
  running(region: string): Promise<number>;
  /** Longest wait of one `scale`, in ms. @default the adapter's */
  readonly timeoutMs?: number;
}

/**
 * The {@link Compute} contract (see `compute.ts`): `scale` sets the number of running tasks of
 * a region and resolves only once that many pass their health check; it is idempotent; scaling
 * to 0 stops every task; tasks belong to the region asked for; a region the backend does not
 * know is a `DrError`. Call it at the top level of a test file; `world` runs once, in `beforeAll`.
 */
export function computeContract(
  backend: string,
  world: () => ComputeWorld | Promise<ComputeWorld>,
  opts: { readonly skip?: ContractSkips<ComputeCase> } = {},
): void {
  describe(`Compute contract: ${backend}`, () => {
    let w: ComputeWorld;
    const scale = (count: number) =>
      w.compute.scale(w.region, count, w.timeoutMs ? { timeoutMs: w.timeoutMs } : {});
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);

    it('scale-up', 'GIVEN scale(region, 2) THEN the backend runs 2 tasks there', async () => {
      await scale(2);
      expect(await w.running(w.region)).toBe(2);
    });

    it(
      'healthy-on-return',
      'GIVEN scale(region, 2) WHEN it resolves THEN 2 running tasks pass their health check',
      async () => {
        const tasks = await scale(2);
        expect(tasks.filter((t) => t.running && t.healthy)).toHaveLength(2);
      },
    );

    it(
      'scale-idempotent',
      'GIVEN 2 tasks WHEN scale(region, 2) again THEN the same tasks, still 2',
      async () => {
        const first = await scale(2);
        const again = await scale(2);
        const ids = (ts: typeof first) =>
          ts
            .filter((t) => t.running)
            .map((t) => t.id)
            .sort();
        expect(ids(again)).toEqual(ids(first));
        expect(await w.running(w.region)).toBe(2);
      },
    );

    it('scale-zero', 'GIVEN tasks WHEN scale(region, 0) THEN none runs', async () => {
      await scale(1);
      const tasks = await scale(0);
      expect(tasks.filter((t) => t.running)).toEqual([]);
      expect(await w.running(w.region)).toBe(0);
    });

    it(
      'tasks-of-region',
      'GIVEN scaled tasks WHEN tasks(region) THEN each belongs to the region',
      async () => {
        await scale(1);
        for (const t of await w.compute.tasks(w.region)) expect(t.region).toBe(w.region);
        await scale(0);
      },
    );

    it(
      'unknown-region',
      'GIVEN a region the backend does not know WHEN scale THEN a DrError',
      async () => {
        await expect(w.compute.scale('nowhere-1', 1)).rejects.toBeInstanceOf(DrError);
      },
    );
  });
}
