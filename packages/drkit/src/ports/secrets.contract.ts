import { beforeAll, describe, expect } from 'vitest';
import { DrError, NotFoundError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { Secrets } from './secrets.js';

/** The cases of the {@link Secrets} contract, by id (the keys of a reasoned skip). */
export type SecretsCase =
  | 'get-missing'
  | 'put-creates'
  | 'put-replaces'
  | 'put-idempotent'
  | 'list'
  | 'not-an-object'
  | 'plan-put';

/** One backend under test, with what the suite needs from outside the port. */
export interface SecretsWorld {
  readonly secrets: Secrets;
  /**
   * Makes `name` exist with `value` the way this backend's secrets come to exist.
   * @default `secrets.put(name, value)`
   */
  seed?(name: string, value: Record<string, unknown>): Promise<void>;
  /** Stores raw `text` under `name`, bypassing the port (a value that is not a JSON object). */
  storeRaw?(name: string, text: string): Promise<void>;
}

/**
 * The {@link Secrets} contract (see `secrets.ts`): `get` of a missing name is a
 * `NotFoundError`; `put` creates or replaces and is idempotent; values are JSON objects, and a
 * stored value that is not one is refused without echoing it; `list` names every secret.
 * Call it at the top level of a test file; `world` runs once, in the suite's `beforeAll`.
 */
export function secretsContract(
  backend: string,
  world: () => SecretsWorld | Promise<SecretsWorld>,
  opts: { readonly skip?: ContractSkips<SecretsCase> } = {},
): void {
  describe(`Secrets contract: ${backend}`, () => {
    let w: SecretsWorld;
    const seed = (name: string, value: Record<string, unknown>) =>
      w.seed ? w.seed(name, value) : w.secrets.put(name, value);
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);

    it('get-missing', 'GIVEN a name never stored WHEN get THEN NotFoundError', async () => {
      await expect(w.secrets.get(uniqueName('contract/missing'))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it(
      'put-creates',
      'GIVEN a new name WHEN put THEN get returns the same JSON object',
      async () => {
        const name = uniqueName('contract/new');
        const value = {
          db: { host: '127.0.0.1', port: 5432 },
          global_readonly: false,
          tags: ['a'],
        };
        await w.secrets.put(name, value);
        expect(await w.secrets.get(name)).toEqual(value);
      },
    );

    it(
      'put-replaces',
      'GIVEN a stored secret WHEN put another value THEN get returns the new one',
      async () => {
        const name = uniqueName('contract/replace');
        await seed(name, { global_readonly: false, n: 1 });
        await w.secrets.put(name, { global_readonly: true });
        expect(await w.secrets.get(name)).toEqual({ global_readonly: true });
      },
    );

    it(
      'put-idempotent',
      'GIVEN a stored secret WHEN the same value is put twice THEN no error and the value once',
      async () => {
        const name = uniqueName('contract/twice');
        await seed(name, { v: 0 });
        await w.secrets.put(name, { v: 1 });
        await w.secrets.put(name, { v: 1 });
        expect(await w.secrets.get(name)).toEqual({ v: 1 });
        expect((await w.secrets.list()).filter((n) => n === name)).toEqual([name]);
      },
    );

    it('list', 'GIVEN two stored secrets WHEN list THEN both names are listed', async () => {
      const a = uniqueName('contract/list-a');
      const b = uniqueName('contract/list-b');
      await seed(a, { x: 1 });
      await seed(b, { x: 2 });
      expect(await w.secrets.list()).toEqual(expect.arrayContaining([a, b]));
    });

    it(
      'not-an-object',
      'GIVEN a stored value that is not a JSON object WHEN get THEN a DrError that does not echo the value',
      async () => {
        if (!w.storeRaw)
          throw new Error('this backend gives no storeRaw: skip the case with a reason');
        for (const text of ['hunter2-plain-text', '["hunter2-in-an-array"]']) {
          const name = uniqueName('contract/raw');
          await w.storeRaw(name, text);
          const err = await w.secrets.get(name).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(DrError);
          expect(String((err as Error).message)).not.toContain('hunter2');
        }
      },
    );
    it(
      'plan-put',
      'GIVEN a stored secret with a password WHEN planPut THEN the set values are shown, never a kept value, and nothing changes',
      async () => {
        const name = uniqueName('contract/plan');
        const value = { host: 'old-host', password: 'hunter2-kept' };
        await seed(name, value);
        const lines = await w.secrets.planPut(name, { host: 'new-host', port: 5432 });
        expect(lines.join('\n')).toContain('new-host');
        expect(lines.join('\n')).not.toContain('hunter2');
        expect(w.secrets.planGet(name).join('\n')).toContain(name);
        expect(await w.secrets.get(name)).toEqual(value);
      },
    );
  });
}
