import { beforeAll, describe, expect } from 'vitest';
import {
  CapabilityError,
  DrError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
} from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { ClusterInfo, Database } from './database.js';

/** The cases of the {@link Database} contract, by id (the keys of a reasoned skip). */
export type DatabaseCase =
  | 'describe-source'
  | 'describe-missing'
  | 'window-missing'
  | 'window'
  | 'plan-out-of-window'
  | 'restore-out-of-window'
  | 'restore-missing-source'
  | 'restore-existing-id'
  | 'restore-new-cluster'
  | 'pitr-capability';

/** One backend under test, with what the suite needs from outside the port. */
export interface DatabaseWorld {
  readonly db: Database;
  /** A running primary with a backup: the source of every restore. */
  readonly source: string;
  /**
   * An id this backend looks up and does not find.
   * @default a fresh unique name
   */
  readonly missingId?: string;
  /**
   * A new cluster id for a restore (the backend's naming rules).
   * @default a fresh unique name
   */
  newId?(): string;
}

/**
 * The {@link Database} contract (see `database.ts`): a restore always creates a NEW cluster and
 * leaves the source as it was; an id that exists already is a `PreconditionError`; a target
 * outside the recoverable window is an `OutOfWindowError` printing the window, raised before
 * anything is created — by the dry-run plan as by the restore; a cluster that does not exist is
 * a `NotFoundError`; a backend without the `pitr` capability refuses a restore with a
 * `CapabilityError`. Call it at the top level of a test file; `world` runs once, in `beforeAll`.
 */
export function databaseContract(
  backend: string,
  world: () => DatabaseWorld | Promise<DatabaseWorld>,
  opts: { readonly skip?: ContractSkips<DatabaseCase>; readonly restoreTimeoutMs?: number } = {},
): void {
  describe(`Database contract: ${backend}`, () => {
    let w: DatabaseWorld;
    const newId = () => (w.newId ? w.newId() : uniqueName('contract-dr'));
    const missing = () => w.missingId ?? uniqueName('contract-missing');
    /** What a refused or completed restore must leave alone on the source. */
    const sourceView = async () => view(await w.db.describe(w.source));
    const expectAbsent = async (id: string) =>
      await expect(w.db.describe(id)).rejects.toBeInstanceOf(NotFoundError);
    /** A target a day before the window opens. */
    const beforeWindow = async () =>
      new Date((await w.db.recoverableWindow(w.source)).earliest.getTime() - 86_400_000);
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);

    it(
      'describe-source',
      'GIVEN the source WHEN describe THEN its id, an endpoint, the primary role, no password',
      async () => {
        const c = await w.db.describe(w.source);
        expect(c.id).toBe(w.source);
        expect(c.endpoint.host).toBeTruthy();
        expect(c.endpoint.port).toBeGreaterThan(0);
        expect(c.role).toBe('primary');
        expect(JSON.stringify(c)).not.toMatch(/password/i);
      },
    );

    it(
      'describe-missing',
      'GIVEN an id that does not exist WHEN describe THEN NotFoundError',
      async () => {
        await expect(w.db.describe(missing())).rejects.toBeInstanceOf(NotFoundError);
      },
    );

    it(
      'window-missing',
      'GIVEN an id that does not exist WHEN recoverableWindow THEN NotFoundError',
      async () => {
        await expect(w.db.recoverableWindow(missing())).rejects.toBeInstanceOf(NotFoundError);
      },
    );

    it(
      'window',
      'GIVEN the source WHEN recoverableWindow THEN earliest ≤ latest ≤ now',
      async () => {
        const win = await w.db.recoverableWindow(w.source);
        expect(win.earliest.getTime()).toBeLessThanOrEqual(win.latest.getTime());
        expect(win.latest.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
      },
    );

    it(
      'plan-out-of-window',
      'GIVEN a target before the window WHEN planRestoreToTime THEN OutOfWindowError printing the window, nothing created',
      async () => {
        const id = newId();
        const err = await w.db
          .planRestoreToTime({ source: w.source, target: await beforeWindow(), newClusterId: id })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(OutOfWindowError);
        expect((err as Error).message).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
        await expectAbsent(id);
      },
    );

    it(
      'restore-out-of-window',
      'GIVEN a target before the window WHEN restoreToTime THEN OutOfWindowError before anything is created',
      async () => {
        const before = await sourceView();
        const id = newId();
        await expect(
          w.db.restoreToTime({ source: w.source, target: await beforeWindow(), newClusterId: id }),
        ).rejects.toBeInstanceOf(OutOfWindowError);
        await expectAbsent(id);
        expect(await sourceView()).toEqual(before);
      },
    );

    it(
      'restore-missing-source',
      'GIVEN a source that does not exist WHEN restoreToTime THEN NotFoundError, nothing created',
      async () => {
        const id = newId();
        await expect(
          w.db.restoreToTime({ source: missing(), target: 'latest', newClusterId: id }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expectAbsent(id);
      },
    );

    it(
      'restore-existing-id',
      'GIVEN a new id that already exists WHEN restoreToTime THEN PreconditionError, the existing cluster untouched',
      async () => {
        const before = await sourceView();
        await expect(
          w.db.restoreToTime({ source: w.source, target: 'latest', newClusterId: w.source }),
        ).rejects.toBeInstanceOf(PreconditionError);
        expect(await sourceView()).toEqual(before);
      },
    );

    it(
      'restore-new-cluster',
      'GIVEN the source WHEN restoreToTime(latest) THEN a new writable cluster, the source as it was',
      async () => {
        const before = await sourceView();
        const id = newId();
        const r = await w.db.restoreToTime({
          source: w.source,
          target: 'latest',
          newClusterId: id,
        });
        expect(r.cluster.id).toBe(id);
        expect(r.restoredTo.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
        const c = await w.db.describe(id);
        expect(c.role).toBe('primary');
        expect(c.endpoint).not.toEqual((await w.db.describe(w.source)).endpoint);
        expect(await sourceView()).toEqual(before);
      },
      opts.restoreTimeoutMs,
    );

    it(
      'pitr-capability',
      'GIVEN the capabilities WHEN pitr is not one THEN restoreToTime is a CapabilityError, nothing created',
      async () => {
        if (w.db.capabilities.has('pitr')) return; // the restore cases above prove it
        const id = newId();
        const err = await w.db
          .restoreToTime({ source: w.source, target: 'latest', newClusterId: id })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(CapabilityError);
        expect(err).toBeInstanceOf(DrError);
        await expectAbsent(id);
      },
    );
  });
}

/** The facts of a cluster a restore must not change (not its backend-specific details). */
function view(c: ClusterInfo): unknown {
  return { id: c.id, endpoint: c.endpoint, status: c.status, role: c.role };
}
