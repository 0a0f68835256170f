import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { LAB_APP_FORMAT } from '../../adapters/app-secret/index.js';
import { FileSecrets } from '../../adapters/file-secrets/index.js';
import { PgClusterManager } from '../../adapters/postgres/pg-cluster-manager.js';
import { createAppServer } from '../../app/server.js';
import { TypesenseSearchIndex } from '../../adapters/typesense/index.js';
import { ConfigSchema } from '../../config/schema.js';
import { DrError } from '../../engine/errors.js';
import { execute, resume, type ExecutorEvent } from '../../engine/executor.js';
import { connectEndpoint } from '../../lab/provider.js';
import { SEARCH_SCHEMA_SQL, searchSeedSql } from '../../lab/search-schema.js';
import { startTypesenseServer, type TypesenseServer } from '../../lab/typesense-server.js';
import type { ImportOptions, SearchDocument, SearchIndex } from '../../ports/search-index.js';
import { freePort, waitFor } from '../../util/net.js';
import { toDocument } from './context.js';
import { createSearchReindexRunbook, searchReindex, type SearchReindexState } from './index.js';

/**
 * RB-N-04 on a real Typesense server and a real PostgreSQL 15 cluster holding the lab's search
 * schema (3,000 people, skewed cities/roles), small enough to stay fast.
 */
const PEOPLE = 3000;
const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMAS = path.resolve(here, '../../../../../ops/typesense/collections.json');
const dir = mkdtempSync('/tmp/drkit-rb-n-04-');
chmodSync(dir, 0o755);
const journalDir = path.join(dir, 'journal');
const config = ConfigSchema.parse({ stateDir: path.join(dir, 'state') });
let mgr: PgClusterManager;
let ts: TypesenseServer;
let index: TypesenseSearchIndex;
let db: { dbHost: string; dbPort: number; dbName: string; dbUser: string };

const sql = async (q: string, params: unknown[] = []) => await mgr.query('src', q, params);

beforeAll(async () => {
  mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
  await mgr.create('src', { port: await freePort(), stanza: false });
  await sql(SEARCH_SCHEMA_SQL);
  await sql(searchSeedSql(PEOPLE));
  const c = mgr.connectionConfig('src');
  db = { dbHost: c.host, dbPort: c.port, dbName: c.database, dbUser: c.user };
  ts = await startTypesenseServer({ dataDir: path.join(dir, 'typesense') });
  index = new TypesenseSearchIndex({ url: ts.url, apiKey: ts.apiKey });
});

afterAll(async () => {
  await ts?.stop();
  for (const c of mgr?.list() ?? [])
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const state = async (extra: Record<string, unknown> = {}, idx: SearchIndex = index) =>
  await searchReindex.normalize(
    { schemas: SCHEMAS, ...db, ...extra },
    { config, journalDir, provider: 'lab', ports: { searchIndex: idx, sql: connectEndpoint } },
  );

const runbook = (idx: SearchIndex = index) =>
  createSearchReindexRunbook({ index: idx, sql: connectEndpoint });

/** What the search cluster holds: collections with counts, and every alias. */
async function world() {
  const cols = (await index.listCollections()).map((c) => `${c.name}:${c.numDocuments}`).sort();
  const aliases = await Promise.all(['people', 'studios', 'work'].map((a) => index.getAlias(a)));
  return { cols, aliases };
}

async function expectIndexEqualsDatabase(s: SearchReindexState): Promise<void> {
  for (const c of s.searchSchemas.collections) {
    const rows = await sql(`SELECT * FROM ${c.source}()`);
    const want = new Map(rows.map((r) => [String(r.id), toDocument(c, r)]));
    const got = new Map<string, SearchDocument>();
    for await (const d of index.exportDocuments(c.name)) got.set(d.id, d);
    expect(got.size, c.name).toBe(want.size);
    for (const [id, doc] of want) expect(got.get(id), `${c.name} ${id}`).toEqual(doc);
  }
}

const error = async (p: Promise<unknown>) =>
  await p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('RB-N-04 on real Typesense and PostgreSQL', () => {
  it('GIVEN a lost index WHEN run with --dry-run THEN it names collections, slices, row counts and the alias change, and changes nothing', async () => {
    const before = await world();
    const events: ExecutorEvent[] = [];
    await execute(runbook(), await state(), {
      journalDir,
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    expect(await world()).toEqual(before);
    const lines = events.flatMap((e) => (e.type === 'plan' ? e.lines : [])).join('\n');
    expect(lines).toContain(`people: ${PEOPLE} rows from search.people_all()`);
    expect(lines).toMatch(/alias people: \(none\) → the new collection/);
    expect(lines).toMatch(/hot slice of people: \d+ rows from search\.people_hot/);
    expect(lines).toContain('PUT /aliases/people');
  });

  it('GIVEN the workload updating people during the run WHEN run THEN hot alias first, every id and field equals the database, counts checked', async () => {
    const events: ExecutorEvent[] = [];
    let updates = 0;
    let stop = false;
    const workload = (async () => {
      while (!stop) {
        const id = 1 + Math.floor(Math.random() * PEOPLE);
        await sql(
          `UPDATE people SET rating = (rating + 1) % 1000, updated_at = now() WHERE id = $1`,
          [id],
        );
        updates++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // the workload stops when the backfill ends; the catch-up connects only once its last
    // update has committed, so every change made during the reindex is the catch-up's to find
    const sqlAfterWorkload = async (ep: Parameters<typeof connectEndpoint>[0]) => {
      if (stop) await workload;
      return await connectEndpoint(ep);
    };
    const res = await execute(
      createSearchReindexRunbook({ index, sql: sqlAfterWorkload }),
      await state({ fetchRows: 500 }),
      {
        journalDir,
        yes: true,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'step-end' && e.step === 'backfill') stop = true;
        },
      },
    );
    stop = true;
    await workload;
    const s = res.state;
    expect(res.summary?.outcome).toBe('succeeded');
    expect(updates).toBeGreaterThan(0);
    const order = events.filter((e) => e.type === 'step-end').map((e) => e.step);
    expect(order.indexOf('alias-hot')).toBeLessThan(order.indexOf('backfill'));
    expect(s.hotReadyAt! <= s.fullReadyAt!).toBe(true);
    expect(s.counts!.people).toEqual({ db: PEOPLE, index: PEOPLE, deadLettered: 0 });
    // the locked final catch-up pass ran over every collection naming its tables
    expect(Object.keys(s.slices!).filter((k) => k.startsWith('catch-up-final:'))).toEqual([
      'catch-up-final:people',
      'catch-up-final:studios',
      'catch-up-final:work',
    ]);
    expect(s.catchUpLockMs).toBeGreaterThanOrEqual(0);
    const hot = await sql(
      `SELECT count(*)::int AS n FROM people WHERE city IN ('Paris', 'London') AND role = 'photographer'`,
    );
    expect(s.slices!['hot:people']!.rows).toBe(hot[0]!.n);
    expect(hot[0]!.n).toBeGreaterThan(PEOPLE * 0.04); // skewed: 2 of 10 cities x 1 of 5 roles is 4 % uniform
    expect(await index.getAlias('people')).toBe(s.targets!.people);
    const changed = await sql(`SELECT count(*)::int AS n FROM people WHERE updated_at >= $1`, [
      s.startedAt,
    ]);
    expect(changed[0]!.n).toBeGreaterThan(0);
    expect(s.catchUpRows).toBeGreaterThanOrEqual(changed[0]!.n as number);
    await expectIndexEqualsDatabase(s);
  });

  it('GIVEN rows deleted, re-inserted and inserted during the reindex WHEN run THEN their documents follow the database exactly (every id and field), the count check exact', async () => {
    // after the backfill has indexed them: a hot-slice person, other people and works are
    // deleted, one person deleted then inserted again with other fields, one new person added
    const hotIds = (
      await sql(
        `SELECT id FROM people WHERE city = 'Paris' AND role = 'photographer' ORDER BY id LIMIT 2`,
      )
    ).map((r) => Number(r.id));
    const others = (
      await sql(
        `SELECT id FROM people WHERE NOT (city = 'Paris' AND role = 'photographer') ORDER BY id LIMIT 5`,
      )
    ).map((r) => Number(r.id));
    const gone = [hotIds[0]!, ...others];
    const back = hotIds[1]!;
    const goneWork = [3, 4];
    const saved = await sql(`SELECT * FROM people WHERE id = ANY($1::bigint[])`, [[...gone, back]]);
    const savedWork = await sql(`SELECT * FROM work WHERE id = ANY($1::bigint[])`, [goneWork]);
    const added = PEOPLE + 1;
    let changes: Promise<void> | undefined;
    const change = async () => {
      await sql(`DELETE FROM people WHERE id = ANY($1::bigint[])`, [[...gone, back]]);
      await sql(`DELETE FROM work WHERE id = ANY($1::bigint[])`, [goneWork]);
      await sql(
        `INSERT INTO people (id, name, city, role, bio, rating) VALUES ($1, 'back again', 'Oslo', 'stylist', NULL, 999)`,
        [back],
      );
      await sql(
        `INSERT INTO people (id, name, city, role, bio, rating) VALUES ($1, 'newcomer', 'Paris', 'photographer', 'new', 5)`,
        [added],
      );
    };
    // the catch-up connects only once the changes have committed
    const sqlAfterChanges = async (ep: Parameters<typeof connectEndpoint>[0]) => {
      await changes;
      return await connectEndpoint(ep);
    };
    try {
      const res = await execute(
        createSearchReindexRunbook({ index, sql: sqlAfterChanges }),
        await state(),
        {
          journalDir,
          yes: true,
          onEvent: (e) => {
            if (e.type === 'step-end' && e.step === 'backfill') changes = change();
          },
        },
      );
      const s = res.state;
      expect(res.summary?.outcome).toBe('succeeded');
      // the backfill had indexed the deleted rows: the catch-up removed them
      expect(s.slices!['full:people']!.rows).toBe(PEOPLE);
      expect(s.catchUpDeleted).toBe(gone.length + goneWork.length);
      expect(s.slices!['catch-up-deleted:people']).toMatchObject({ deleted: gone.length });
      expect(s.counts!.people).toEqual({
        db: PEOPLE - gone.length + 1,
        index: PEOPLE - gone.length + 1,
        deadLettered: 0,
      });
      expect(s.counts!.work!.index).toBe(PEOPLE / 2 - goneWork.length);
      const people = new Map<string, SearchDocument>();
      for await (const d of index.exportDocuments('people')) people.set(d.id, d);
      for (const id of gone) expect(people.has(String(id)), `person ${id}`).toBe(false);
      expect(people.get(String(back))).toMatchObject({ name: 'back again', city: 'Oslo' });
      expect(people.get(String(added))).toMatchObject({ name: 'newcomer' });
      await expectIndexEqualsDatabase(s);
    } finally {
      // the other cases count on the seeded rows
      await changes;
      await sql(`DELETE FROM people WHERE id = ANY($1::bigint[])`, [[back, added]]);
      for (const r of saved)
        await sql(
          `INSERT INTO people (id, name, city, role, bio, rating, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [r.id, r.name, r.city, r.role, r.bio, r.rating, r.updated_at],
        );
      for (const r of savedWork)
        await sql(
          `INSERT INTO work (id, person_id, title, tags, updated_at) VALUES ($1, $2, $3, $4, $5)`,
          [r.id, r.person_id, r.title, r.tags, r.updated_at],
        );
    }
  });

  it('GIVEN the app searching through the alias WHEN RB-N-04 runs THEN GET /search says partial once the hot slice is in, complete after the swap', async () => {
    const secrets = new FileSecrets(path.join(dir, 'secrets'));
    const c = mgr.connectionConfig('src');
    await secrets.put('drkit/app', {
      dbClusterId: 'src',
      db: { host: c.host, port: c.port, database: c.database, user: c.user },
      global_readonly: false,
      search: { url: ts.url, apiKey: ts.apiKey, alias: 'people' },
    });
    const { server, db: appDb } = createAppServer({
      secrets,
      region: 'a',
      task: 't1',
      refreshMs: 0,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const search = async (qs: string) => {
      const r = await fetch(`${url}/search?${qs}`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    try {
      const seen: Array<Promise<{ status: number; body: Record<string, unknown> }>> = [];
      // the backfill waits for the app's answer: the search lands while only the hot slice is in
      const gated: SearchIndex = Object.assign(Object.create(index) as SearchIndex, {
        importDocuments: async (c: string, d: Iterable<SearchDocument>, o?: ImportOptions) => {
          await seen[0];
          return await index.importDocuments(c, d, o);
        },
      });
      const res = await execute(
        createSearchReindexRunbook({
          index: gated,
          sql: connectEndpoint,
          appSecret: { secrets, format: LAB_APP_FORMAT, defaultName: 'drkit/app' },
        }),
        await state(),
        {
          journalDir,
          yes: true,
          onEvent: (e) => {
            if (e.type === 'step-end' && e.step === 'alias-hot')
              seen.push(search('q=*&city=Paris&role=photographer'));
          },
        },
      );
      const during = await seen[0]!;
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ source: 'typesense', alias: 'people', partial: true });
      const hot = await sql(
        `SELECT count(*)::int AS n FROM people WHERE city = 'Paris' AND role = 'photographer'`,
      );
      expect(during.body.found).toBe(hot[0]!.n);
      expect(res.state.appToldPartial).toBe(true);
      const after = await search('q=person&city=Berlin');
      expect(after.body).toMatchObject({ partial: false });
      expect(after.body.found as number).toBeGreaterThan(0);
      expect(
        (after.body.results as Array<{ city: string }>).every((d) => d.city === 'Berlin'),
      ).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
      await appDb.close();
    }
  });

  it('GIVEN a row the server rejects (wrong type) WHEN run THEN it is dead-lettered with its error, the run completes, the count check accounts for it (not for refused rows fixed or deleted meanwhile)', async () => {
    await sql(`ALTER TABLE studios ADD COLUMN IF NOT EXISTS floor text`);
    // 5 stays refused; 6 is refused by the backfill, then fixed (the catch-up imports it); 7 is
    // refused, then deleted: neither is missing at the count check
    await sql(
      `UPDATE studios SET floor = CASE WHEN id = 5 THEN 'ground' WHEN id IN (6, 7) THEN 'upper' ELSE (id % 9)::text END`,
    );
    const studio7 = (await sql(`SELECT * FROM studios WHERE id = 7`))[0]!;
    await sql(`CREATE OR REPLACE FUNCTION search.studios_floor()
      RETURNS TABLE (id text, name text, city text, floor text, updated_at timestamptz)
      LANGUAGE sql STABLE AS $$ SELECT s.id::text, s.name, s.city, s.floor, s.updated_at FROM studios s ORDER BY s.id $$`);
    const f = JSON.parse(readFileSync(SCHEMAS, 'utf8')) as {
      collections: Array<{ name: string; source: string; fields: unknown[] }>;
    };
    const studios = f.collections.find((c) => c.name === 'studios')!;
    studios.source = 'search.studios_floor';
    studios.fields.push({ name: 'floor', type: 'int32' });
    const file = path.join(dir, 'collections-floor.json');
    writeFileSync(file, JSON.stringify(f));
    let changes: Promise<unknown> | undefined;
    const sqlAfterChanges = async (ep: Parameters<typeof connectEndpoint>[0]) => {
      await changes;
      return await connectEndpoint(ep);
    };
    try {
      const res = await execute(
        createSearchReindexRunbook({ index, sql: sqlAfterChanges }),
        await state({ schemas: file }),
        {
          journalDir,
          yes: true,
          onEvent: (e) => {
            if (e.type === 'step-end' && e.step === 'backfill')
              changes = sql(`UPDATE studios SET floor = '6', updated_at = now() WHERE id = 6`).then(
                () => sql(`DELETE FROM studios WHERE id = 7`),
              );
          },
        },
      );
      expect(res.summary?.outcome).toBe('succeeded');
      expect(res.state.counts!.studios).toEqual({
        db: PEOPLE / 10 - 1,
        index: PEOPLE / 10 - 2,
        deadLettered: 1,
      });
      expect(res.state.deadLetters).toBe(3);
      const dead = readFileSync(res.state.deadLetterFile!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(dead.map((d) => d.id)).toEqual(['5', '6', '7']);
      expect(dead[0]).toMatchObject({ id: '5', code: 400, slice: 'full:studios' });
      expect(dead[0].error).toMatch(/floor/);
      expect(await index.getDocument(res.state.targets!.studios!, '6')).toMatchObject({ floor: 6 });
      expect(await index.getDocument(res.state.targets!.studios!, '7')).toBeUndefined();
    } finally {
      await changes;
      await sql(
        `INSERT INTO studios (id, name, city, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [studio7.id, studio7.name, studio7.city, studio7.updated_at],
      );
    }
  });

  it('GIVEN a run killed during the backfill WHEN resumed THEN it completes and finished slices are not imported again', async () => {
    const ac = new AbortController();
    const calls: string[] = [];
    const counting: SearchIndex = Object.assign(Object.create(index) as SearchIndex, {
      importDocuments: (c: string, d: Iterable<SearchDocument>, o?: object) => {
        calls.push(c);
        return index.importDocuments(c, d, o);
      },
    });
    const rb = runbook(counting);
    const s = await state({ maxBatchBytes: 4096 });
    let executionId = '';
    const err = await error(
      execute(rb, s, {
        journalDir,
        yes: true,
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'step-progress' && e.message.startsWith('full:studios')) ac.abort();
        },
        executionId: (executionId = `rb-n-04-kill-${Date.now()}`),
      }),
    );
    expect(err).toBeInstanceOf(DrError);
    const before = calls.length;
    const res = await resume(rb, executionId, { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    const t = res.state.targets!;
    // on resume: studios again (it was cut), work, then the three catch-up slices and the three
    // of the locked final pass; never people's backfill
    expect(calls.slice(before)).toEqual([
      t.studios,
      t.work,
      t.people,
      t.studios,
      t.work,
      t.people,
      t.studios,
      t.work,
    ]);
    const keys = readFileSync(path.join(s.workDir, `${executionId}.slices.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(res.state.counts!.people!.index).toBe(PEOPLE);
  });

  it('GIVEN bad inputs THEN each a clear error and nothing changed', async () => {
    const before = await world();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      '{"collections":[{"name":"people","source":"search.people_all","fields":[{"name":"city","type":"text"}]}]}',
    );
    expect(await error(state({ schemas: bad }))).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/collection people field city type/),
    });
    const hot = JSON.parse(readFileSync(SCHEMAS, 'utf8')) as {
      hotSlices: Array<{ filters: Record<string, string[]> }>;
    };
    hot.hotSlices[0]!.filters.country = ['FR'];
    writeFileSync(bad, JSON.stringify(hot));
    expect(await error(state({ schemas: bad }))).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/unknown field country/),
    });
    const down = new TypesenseSearchIndex({
      url: `http://127.0.0.1:${await freePort()}`,
      apiKey: 'k',
    });
    const e1 = (await error(
      execute(runbook(down), await state({}, down), { journalDir, yes: true }),
    )) as DrError;
    expect(e1).toMatchObject({ code: 'EXTERNAL', retryable: true });
    expect(e1.message).toMatch(/unreachable/);
    const wrong = new TypesenseSearchIndex({ url: ts.url, apiKey: 'wrong' });
    const e2 = (await error(
      execute(runbook(wrong), await state({}, wrong), { journalDir, yes: true }),
    )) as DrError;
    expect(e2.code).toBe('ACCESS_DENIED');
    expect(await world()).toEqual(before);
  });

  it('GIVEN a second reindex while one runs THEN refused (conflict), the first completes', async () => {
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const first = execute(runbook(), await state(), {
      journalDir,
      yes: true,
      onEvent: (e) => {
        if (e.type === 'step-start' && e.step === 'backfill') release();
      },
    });
    await started;
    const e = (await error(
      execute(runbook(), await state(), { journalDir, yes: true }),
    )) as DrError;
    expect(e.code).toBe('CONFLICT');
    expect((await first).summary?.outcome).toBe('succeeded');
  });

  it('GIVEN an alias on a collection drkit did not create THEN refused, nothing changed; with force=true THEN moved', async () => {
    await index.createCollection({
      name: 'studios_legacy',
      fields: [{ name: 'name', type: 'string' }],
    });
    await index.putAlias('studios', 'studios_legacy');
    const before = await world();
    const e = (await error(
      execute(runbook(), await state(), { journalDir, yes: true }),
    )) as DrError;
    expect(e.code).toBe('PRECONDITION');
    expect(e.message).toMatch(/alias studios points at studios_legacy/);
    expect(await world()).toEqual(before);
    const res = await execute(runbook(), await state({ force: 'true' }), { journalDir, yes: true });
    expect(await index.getAlias('studios')).toBe(res.state.targets!.studios);
    expect(existsSync(path.join(res.state.workDir, `${res.executionId}.slices.jsonl`))).toBe(true);
  });
});

describe('RB-N-04 under write back-pressure', () => {
  it('GIVEN a server shedding writes (503, --healthy-write-lag=1) under other writers WHEN run THEN the adapter backs off and the run completes with every row', async () => {
    const lag = await startTypesenseServer({
      dataDir: path.join(dir, 'typesense-lagging'),
      healthyWriteLag: 1,
    });
    try {
      const idx = new TypesenseSearchIndex({ url: lag.url, apiKey: lag.apiKey, backoffBaseMs: 20 });
      // other writers keep the server's write queue over its bound while RB-N-04 runs
      await idx.createCollection({ name: 'noise', fields: [{ name: 't', type: 'string' }] });
      let done = false;
      let shedding = 0;
      const noise = Array.from({ length: 8 }, async (_, k) => {
        for (let round = 0; !done; round++) {
          const docs = Array.from({ length: 1500 }, (_, i) => ({
            id: `${k}-${round}-${i}`,
            t: 'word '.repeat(150),
          }));
          shedding += (await idx.importDocuments('noise', docs, { maxBatchDocs: 100 })).backoffs;
        }
      });
      // the server samples its queue about once a second: start once it is seen shedding
      await waitFor(() => shedding > 0, { timeoutMs: 60_000, what: 'the server to shed writes' });
      // the other writers stop once RB-N-04 has been shed once (the test stays fast)
      const watched: SearchIndex = Object.assign(Object.create(idx) as SearchIndex, {
        importDocuments: (c: string, d: Iterable<SearchDocument>, o?: ImportOptions) =>
          idx.importDocuments(c, d, {
            ...o,
            onBatch: (b: Parameters<NonNullable<ImportOptions['onBatch']>>[0]) => {
              if (b.backoffs > 0) done = true;
              o?.onBatch?.(b);
            },
          }),
      });
      const res = await execute(runbook(watched), await state({ maxBatchBytes: 1024 }, idx), {
        journalDir,
        yes: true,
      }).finally(() => {
        done = true;
      });
      await Promise.all(noise);
      expect(res.summary?.outcome).toBe('succeeded');
      expect(res.state.counts!.people).toEqual({ db: PEOPLE, index: PEOPLE, deadLettered: 0 });
      const backoffs = Object.values(res.state.slices!).reduce((n, r) => n + r.backoffs, 0);
      expect(backoffs).toBeGreaterThan(0);
    } finally {
      await lag.stop();
    }
  });
});
