import { beforeAll, describe, expect } from 'vitest';
import { DrError, NotFoundError, PreconditionError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { CollectionSchema, SearchDocument, SearchIndex } from './search-index.js';

/** The cases of the {@link SearchIndex} contract, by id (the keys of a reasoned skip). */
export type SearchIndexCase =
  | 'create-collection'
  | 'import-upsert-count'
  | 'import-failures'
  | 'byte-bounded-batches'
  | 'delete-documents'
  | 'aliases'
  | 'drop'
  | 'health'
  | 'access-denied'
  | 'unreachable'
  | 'backpressure'
  | 'plan';

/** One backend under test, with what the suite needs from outside the port. */
export interface SearchIndexWorld {
  readonly index: SearchIndex;
  /** The same cluster with a wrong API key. */
  wrongKey(): SearchIndex;
  /** An index of the same kind where nothing listens. */
  unreachable(): SearchIndex;
  /** An index on a cluster that sheds writes quickly (HTTP 503 under a small write lag). */
  lagging?(): Promise<SearchIndex>;
}

const schema = (name: string): CollectionSchema => ({
  name,
  fields: [
    { name: 'name', type: 'string' },
    { name: 'city', type: 'string', facet: true },
    { name: 'rank', type: 'int32' },
  ],
});

const docs = (n: number, from = 0): SearchDocument[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(from + i),
    name: `person ${from + i}`,
    city: i % 2 ? 'Lyon' : 'Paris',
    rank: from + i,
  }));

const error = async (p: Promise<unknown>): Promise<unknown> =>
  await p.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * The {@link SearchIndex} contract (see `search-index.ts`). Call it at the top level of a test
 * file; `world` runs once, in the suite's `beforeAll`.
 */
export function searchIndexContract(
  backend: string,
  world: () => SearchIndexWorld | Promise<SearchIndexWorld>,
  opts: { readonly skip?: ContractSkips<SearchIndexCase> } = {},
): void {
  describe(`SearchIndex contract: ${backend}`, () => {
    let w: SearchIndexWorld;
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);

    it(
      'create-collection',
      'GIVEN a new name WHEN created twice THEN one empty collection; other fields THEN PreconditionError',
      async () => {
        const name = uniqueName('c');
        await w.index.createCollection(schema(name));
        await w.index.createCollection(schema(name));
        expect(await w.index.count(name)).toBe(0);
        const other = { name, fields: [{ name: 'title', type: 'string' }] };
        expect(await error(w.index.createCollection(other))).toBeInstanceOf(PreconditionError);
        expect(await error(w.index.count(uniqueName('absent')))).toBeInstanceOf(NotFoundError);
      },
    );

    it(
      'import-upsert-count',
      'GIVEN 250 documents imported, then 50 of them again changed THEN 250 documents holding the change',
      async () => {
        const name = uniqueName('c');
        await w.index.createCollection(schema(name));
        const r = await w.index.importDocuments(name, docs(250));
        expect(r).toMatchObject({ imported: 250, failed: [] });
        const again = docs(50).map((d) => ({ ...d, name: `changed ${d.id}` }));
        await w.index.importDocuments(name, again);
        expect(await w.index.count(name)).toBe(250);
        const all = new Map<string, SearchDocument>();
        for await (const d of w.index.exportDocuments(name)) all.set(d.id, d);
        expect(all.size).toBe(250);
        expect(all.get('7')).toMatchObject({ name: 'changed 7', city: 'Lyon', rank: 7 });
        expect(all.get('70')).toMatchObject({ name: 'person 70', rank: 70 });
      },
    );

    it(
      'import-failures',
      'GIVEN documents of a wrong type among good ones WHEN imported THEN the good ones are in, the bad ones returned with code and error',
      async () => {
        const name = uniqueName('c');
        await w.index.createCollection(schema(name));
        const bad = [
          { id: 'bad-1', name: 'x', city: 'Paris', rank: 'not a number' },
          { id: 'bad-2', name: 'y', city: 'Paris' },
        ];
        const r = await w.index.importDocuments(name, [...docs(10), ...bad, ...docs(10, 10)]);
        expect(r.imported).toBe(20);
        expect(r.failed.map((f) => f.id)).toEqual(['bad-1', 'bad-2']);
        for (const f of r.failed) {
          expect(f.code).toBe(400);
          expect(f.error).toMatch(/rank/);
          expect(JSON.parse(f.document)).toMatchObject({ id: f.id });
        }
        expect(await w.index.count(name)).toBe(20);
      },
    );

    it(
      'byte-bounded-batches',
      'GIVEN a small byte bound WHEN importing THEN several requests, none over the bound, every document in',
      async () => {
        const name = uniqueName('c');
        await w.index.createCollection(schema(name));
        const r = await w.index.importDocuments(name, docs(300), { maxBatchBytes: 4096 });
        expect(r.imported).toBe(300);
        expect(r.batches).toBeGreaterThanOrEqual(Math.ceil(r.bytes / 4096));
        expect(r.batches).toBeGreaterThan(1);
        expect(await w.index.count(name)).toBe(300);
      },
    );

    it(
      'delete-documents',
      'GIVEN 30 documents WHEN 12 ids deleted (2 of them absent), streamed THEN 10 deleted, 2 absent, the other 20 untouched',
      async () => {
        const name = uniqueName('c');
        await w.index.createCollection(schema(name));
        await w.index.importDocuments(name, docs(30));
        async function* ids() {
          for (let i = 0; i < 10; i++) yield String(i * 3);
          yield 'absent-1';
          yield 'absent-2';
        }
        expect(await w.index.deleteDocuments(name, ids())).toMatchObject({
          deleted: 10,
          absent: 2,
        });
        const left = new Map<string, SearchDocument>();
        for await (const d of w.index.exportDocuments(name)) left.set(d.id, d);
        expect([...left.keys()].sort()).toEqual(
          docs(30)
            .filter((_, i) => i % 3 !== 0)
            .map((d) => d.id)
            .sort(),
        );
        expect(left.get('4')).toEqual(docs(30)[4]);
        expect(await w.index.getDocument(name, '4')).toEqual(docs(30)[4]);
        expect(await w.index.getDocument(name, '3')).toBeUndefined();
        expect(await w.index.deleteDocuments(name, [])).toMatchObject({ deleted: 0, absent: 0 });
      },
    );

    it(
      'aliases',
      'GIVEN no alias THEN undefined even when a collection has that name; WHEN put, then swapped THEN it names the last target',
      async () => {
        const a = uniqueName('c');
        const b = uniqueName('c');
        await w.index.createCollection(schema(a));
        await w.index.createCollection(schema(b));
        expect(await w.index.getAlias(a)).toBeUndefined();
        const alias = uniqueName('alias');
        expect(await w.index.getAlias(alias)).toBeUndefined();
        await w.index.putAlias(alias, a);
        expect(await w.index.getAlias(alias)).toBe(a);
        await w.index.putAlias(alias, b);
        expect(await w.index.getAlias(alias)).toBe(b);
      },
    );

    it(
      'drop',
      'GIVEN an aliased collection THEN drop refused; an absent one THEN no-op; an unaliased one THEN gone',
      async () => {
        const a = uniqueName('c');
        await w.index.createCollection(schema(a));
        const alias = uniqueName('alias');
        await w.index.putAlias(alias, a);
        expect(await error(w.index.dropCollection(a))).toBeInstanceOf(PreconditionError);
        expect(await w.index.count(a)).toBe(0);
        const b = uniqueName('c');
        await w.index.createCollection(schema(b));
        await w.index.dropCollection(b);
        await w.index.dropCollection(b);
        expect((await w.index.listCollections()).map((c) => c.name)).not.toContain(b);
      },
    );

    it('health', 'GIVEN a running cluster THEN ok and a write lag', async () => {
      const h = await w.index.health();
      expect(h.ok).toBe(true);
      expect(typeof (await w.index.writeLag())).toBe('number');
    });

    it('access-denied', 'GIVEN a wrong API key THEN DrError ACCESS_DENIED', async () => {
      const e = await error(w.wrongKey().health());
      expect(e).toBeInstanceOf(DrError);
      expect((e as DrError).code).toBe('ACCESS_DENIED');
    });

    it('unreachable', 'GIVEN nothing listening THEN a retryable DrError', async () => {
      const e = await error(w.unreachable().health());
      expect(e).toBeInstanceOf(DrError);
      expect((e as DrError).retryable).toBe(true);
    });

    it(
      'backpressure',
      'GIVEN a cluster shedding writes (503) WHEN eight writers import at once THEN backed off and every document in',
      async () => {
        if (!w.lagging) throw new Error('this backend gives no lagging(): skip with a reason');
        const idx = await w.lagging();
        const name = uniqueName('c');
        await idx.createCollection(schema(name));
        // the server samples its write queue about once a second: eight writers of heavy
        // documents keep it over the bound long enough to be seen (rounds until it is; on a
        // quiet machine the server keeps up longer, so up to 15 rounds)
        const heavy = (k: number) =>
          docs(1500, k * 1500).map((d) => ({ ...d, name: `${d.name} ${'word '.repeat(400)}` }));
        let backoffs = 0;
        let rounds = 0;
        for (; rounds < 15 && backoffs === 0; rounds++) {
          const rs = await Promise.all(
            Array.from({ length: 8 }, (_, k) =>
              idx.importDocuments(name, heavy(k), { maxBatchDocs: 100 }),
            ),
          );
          expect(rs.reduce((n, r) => n + r.imported, 0)).toBe(12_000);
          backoffs += rs.reduce((n, r) => n + r.backoffs, 0);
        }
        expect(await idx.count(name)).toBe(12_000);
        expect(backoffs, `no 503 in ${rounds} rounds of 8 concurrent writers`).toBeGreaterThan(0);
      },
      120_000,
    );

    it('plan', 'GIVEN plan methods THEN exact calls named and nothing created', async () => {
      const name = uniqueName('c');
      const lines = [
        ...w.index.planCreateCollection(schema(name)),
        ...w.index.planImport(name, 'people hot'),
        ...w.index.planDelete(name, 'people deleted'),
        ...w.index.planPutAlias('people', name),
        ...w.index.planDropCollection(name),
      ].join('\n');
      expect(lines).toContain(name);
      expect(lines).toContain('/aliases/people');
      expect(await error(w.index.count(name))).toBeInstanceOf(NotFoundError);
    });
  });
}
