import { beforeAll, describe, expect } from 'vitest';
import { DrError, PreconditionError } from '../engine/errors.js';
import { sleep } from '../util/net.js';
import { contractCases, type ContractSkips } from '../testing/contract.js';
import type { Router, RouterStatus } from './router.js';

/** The cases of the {@link Router} contract, by id (the keys of a reasoned skip). */
export type RouterCase =
  | 'route-primary'
  | 'route-away'
  | 'route-idempotent'
  | 'route-back'
  | 'status-live'
  | 'unknown-region'
  | 'unreachable';

/** One backend under test, with what the suite needs from outside the port. */
export interface RouterWorld {
  readonly router: Router;
  /** The region whose targets take traffic in normal operation. */
  readonly primaryRegion: string;
  /** The standby region. */
  readonly otherRegion: string;
  /** A second adapter over the same router: what one changes, the other's `status` must see. */
  another(): Router;
  /** An adapter of the same kind whose router is not running or cannot be reached. */
  unreachable?(): Router;
  /**
   * How long the router's own health checks may take to agree with a change, in ms (the
   * active region depends on health as well as on routing).
   * @default 0
   */
  readonly settleMs?: number;
}

/**
 * The {@link Router} contract (see `router.ts`): after `routeTo(r)` away from the primary
 * region every target outside `r` is out of service (`maint`, not merely failing checks) and
 * `r` is active; `routeTo` is idempotent; routing back to the primary region restores the
 * failover record (the others as backups); `status` reads live state; a region without targets
 * is refused; a router that cannot be reached is a `PreconditionError` with a hint.
 * Call it at the top level of a test file; `world` runs once, in the suite's `beforeAll`.
 */
export function routerContract(
  backend: string,
  world: () => RouterWorld | Promise<RouterWorld>,
  opts: { readonly skip?: ContractSkips<RouterCase> } = {},
): void {
  describe(`Router contract: ${backend}`, () => {
    let w: RouterWorld;
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);
    /** The status once the active region is `region` (health checks may lag a change). */
    const activeIs = async (region: string, router = w.router): Promise<RouterStatus> => {
      const deadline = Date.now() + (w.settleMs ?? 0);
      for (;;) {
        const s = await router.status();
        if (s.activeRegion === region || Date.now() >= deadline) return s;
        await sleep(50);
      }
    };
    const of = (s: RouterStatus, region: string) => s.targets.filter((t) => t.region === region);

    it(
      'route-primary',
      'GIVEN routeTo(primary) THEN the primary region is active, its targets in service, the others ready as backups',
      async () => {
        await w.router.routeTo(w.primaryRegion);
        const s = await activeIs(w.primaryRegion);
        expect(s.activeRegion).toBe(w.primaryRegion);
        expect(of(s, w.primaryRegion).length).toBeGreaterThan(0);
        for (const t of of(s, w.primaryRegion))
          expect([t.admin, t.backup]).toEqual(['ready', false]);
        if (w.router.capabilities.has('backup-targets'))
          for (const t of of(s, w.otherRegion))
            expect([t.admin, t.backup]).toEqual(['ready', true]);
      },
    );

    it(
      'route-away',
      'GIVEN routeTo(other) THEN every target outside it is out of service (maint) at once, and it becomes active',
      async () => {
        await w.router.routeTo(w.otherRegion);
        const now = await w.router.status();
        for (const t of now.targets.filter((x) => x.region !== w.otherRegion))
          expect(t.admin).toBe('maint');
        for (const t of of(now, w.otherRegion)) expect(t.admin).toBe('ready');
        expect((await activeIs(w.otherRegion)).activeRegion).toBe(w.otherRegion);
      },
    );

    it(
      'route-idempotent',
      'GIVEN routed to other WHEN routeTo(other) again THEN nothing changes',
      async () => {
        await w.router.routeTo(w.otherRegion);
        const before = await activeIs(w.otherRegion);
        await w.router.routeTo(w.otherRegion);
        expect(await activeIs(w.otherRegion)).toEqual(before);
      },
    );

    it(
      'route-back',
      'GIVEN routed to other WHEN routeTo(primary) THEN the normal failover record again',
      async () => {
        await w.router.routeTo(w.otherRegion);
        await w.router.routeTo(w.primaryRegion);
        const s = await activeIs(w.primaryRegion);
        expect(s.activeRegion).toBe(w.primaryRegion);
        for (const t of s.targets) expect(t.admin).toBe('ready');
      },
    );

    it(
      'status-live',
      'GIVEN another adapter over the same router WHEN it routes THEN status here sees it (no cached copy)',
      async () => {
        await w.router.routeTo(w.primaryRegion);
        expect((await activeIs(w.primaryRegion)).activeRegion).toBe(w.primaryRegion);
        const other = w.another();
        await other.routeTo(w.otherRegion);
        expect((await activeIs(w.otherRegion)).activeRegion).toBe(w.otherRegion);
        await other.routeTo(w.primaryRegion);
        expect((await activeIs(w.primaryRegion)).activeRegion).toBe(w.primaryRegion);
      },
    );

    it(
      'unknown-region',
      'GIVEN a region without targets WHEN routeTo THEN a DrError and the routing unchanged',
      async () => {
        await w.router.routeTo(w.primaryRegion);
        const before = await activeIs(w.primaryRegion);
        await expect(w.router.routeTo('nowhere-1')).rejects.toBeInstanceOf(DrError);
        expect(await w.router.status()).toEqual(before);
      },
    );

    it(
      'unreachable',
      'GIVEN a router that cannot be reached WHEN status THEN PreconditionError with a hint',
      async () => {
        if (!w.unreachable)
          throw new Error('this backend gives no unreachable(): skip the case with a reason');
        const err = await w
          .unreachable()
          .status()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(PreconditionError);
        expect((err as DrError).hint).toBeTruthy();
      },
    );
  });
}
