import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgClusterManager } from '../adapters/postgres/pg-cluster-manager.js';
import { freePort } from '../util/net.js';
import type { TableSpec } from './checksums.js';
import {
  assertValid,
  describeReport,
  snapshotChecksums,
  validateDatabases,
  verifySnapshot,
  type ValidationReport,
} from './suite.js';

/**
 * Two real PostgreSQL 15 clusters (no archiving) holding the same data, made set-wise with
 * generate_series so both sides are byte-for-byte the same rows: `orders` has 1,000,000 rows
 * on even keys 2..2,000,000 (so a row can be inserted *inside* the key range), `users` is small,
 * and `events` uses a non-default key and version column.
 */
const ORDERS = 1_000_000;
const MAX_ORDER_KEY = 2 * ORDERS;
const SCHEMA_SQL = `
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO orders SELECT 2 * g, g % 1000, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, ${ORDERS}) g;
CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL);
INSERT INTO users SELECT g, timestamptz '2023-06-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 1000) g;
CREATE TABLE events (event_id bigint PRIMARY KEY, modified_at timestamptz NOT NULL, updated_at timestamptz);
INSERT INTO events SELECT g, timestamptz '2024-02-01 00:00:00+00' + g * interval '1 second', NULL FROM generate_series(1, 5000) g;
`;
const TABLES: TableSpec[] = [
  { table: 'users' },
  { table: 'orders' },
  { table: 'events', key: 'event_id', version: 'modified_at' },
];
const CHANGED_KEY = 1_234_566; // an existing (even) key inside the 13th 50,000-row chunk

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../dist/cli/main.js');

function table(rep: ValidationReport, name: string) {
  const t = rep.tables.find((x) => x.table === name);
  if (!t) throw new Error(`no table ${name} in report`);
  return t;
}

async function runCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('validation suite against real PostgreSQL 15', () => {
  let labDir: string;
  let mgr: PgClusterManager;
  let srcUrl: string;
  let dstUrl: string;
  /** Statements undoing the current test's changes on the target (run after each test). */
  const undo: Array<{ cluster: 'src' | 'dst'; sql: string }> = [];

  beforeAll(async () => {
    labDir = mkdtempSync('/tmp/drkit-validate-');
    chmodSync(labDir, 0o755); // the postgres user must traverse it
    mgr = new PgClusterManager({ labDir });
    await mgr.create('src', { port: await freePort(), stanza: false });
    await mgr.create('dst', { port: await freePort(), stanza: false });
    await Promise.all(
      ['src', 'dst'].map(async (c) => {
        await mgr.query(c, SCHEMA_SQL);
        await mgr.query(c, 'VACUUM ANALYZE');
      }),
    );
    const url = (id: string) => {
      const c = mgr.connectionConfig(id);
      return `postgres://${c.user}@${c.host}:${c.port}/${c.database}`;
    };
    srcUrl = url('src');
    dstUrl = url('dst');
  });

  afterEach(async () => {
    while (undo.length) {
      const u = undo.pop()!;
      await mgr.query(u.cluster, u.sql);
    }
  });

  afterAll(async () => {
    for (const c of mgr?.list() ?? []) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  it('reports identical databases as OK for every table (live validation and a snapshot)', async () => {
    const rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    expect(rep.ok).toBe(true);
    expect(rep.tables.map((t) => [t.table, t.ok, t.expectedRows, t.actualRows])).toEqual([
      ['users', true, 1000, 1000],
      ['orders', true, ORDERS, ORDERS],
      ['events', true, 5000, 5000],
    ]);
    expect(() => assertValid(rep)).not.toThrow();

    const src = new pg.Client(srcUrl);
    const dst = new pg.Client(dstUrl);
    await Promise.all([src.connect(), dst.connect()]);
    try {
      const snap = await snapshotChecksums(src, TABLES);
      const orders = snap.tables.find((t) => t.table === 'orders')!;
      expect(orders.rowCount).toBe(ORDERS);
      expect(orders.maxKey).toBe(String(MAX_ORDER_KEY));
      expect(orders.chunks).toHaveLength(ORDERS / 50_000);
      const again = await verifySnapshot(snap, dst);
      expect(again.ok).toBe(true);
    } finally {
      await Promise.all([src.end(), dst.end()]);
    }
  });

  it("names the table and the exact key of one changed updated_at as 'changed'", async () => {
    await mgr.query(
      'dst',
      `UPDATE orders SET updated_at = updated_at + interval '1 millisecond' WHERE id = ${CHANGED_KEY}`,
    );
    undo.push({
      cluster: 'dst',
      sql: `UPDATE orders SET updated_at = updated_at - interval '1 millisecond' WHERE id = ${CHANGED_KEY}`,
    });

    const rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    expect(rep.ok).toBe(false);
    expect(table(rep, 'users').ok).toBe(true);
    expect(table(rep, 'events').ok).toBe(true);
    const o = table(rep, 'orders');
    expect(o).toMatchObject({
      ok: false,
      expectedRows: ORDERS,
      actualRows: ORDERS,
      differingChunks: 1,
    });
    const d = o.firstDifference!;
    expect(BigInt(d.fromKey ?? '0')).toBeLessThan(BigInt(CHANGED_KEY));
    expect(BigInt(d.toKey)).toBeGreaterThanOrEqual(BigInt(CHANGED_KEY));
    expect(d.expectedRows).toBeLessThanOrEqual(64); // narrowed from a 50,000-row chunk
    expect(d.keys).toEqual([{ key: String(CHANGED_KEY), kind: 'changed' }]);
    expect(describeReport(rep).find((l) => l.startsWith('orders:'))).toContain(
      `${CHANGED_KEY}:changed`,
    );
    expect(() => assertValid(rep)).toThrow(/orders: MISMATCH/);
  });

  it("names a deleted row 'missing' and extra rows (inside the key range and past its end) 'extra'", async () => {
    await mgr.query('dst', 'DELETE FROM orders WHERE id = 4242');
    undo.push({
      cluster: 'dst',
      sql: `INSERT INTO orders SELECT 4242, 2121 % 1000, timestamptz '2024-01-01 00:00:00+00' + 2121 * interval '1 second'`,
    });
    let rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    let o = table(rep, 'orders');
    expect(o).toMatchObject({ ok: false, expectedRows: ORDERS, actualRows: ORDERS - 1 });
    expect(o.firstDifference!.keys).toEqual([{ key: '4242', kind: 'missing' }]);
    await mgr.query('dst', undo.pop()!.sql);

    // An odd key lies between two existing keys, inside an expected chunk.
    await mgr.query('dst', `INSERT INTO orders VALUES (777777, 1, now())`);
    undo.push({ cluster: 'dst', sql: 'DELETE FROM orders WHERE id = 777777' });
    rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    o = table(rep, 'orders');
    expect(o).toMatchObject({ ok: false, actualRows: ORDERS + 1 });
    expect(o.firstDifference!.keys).toEqual([{ key: '777777', kind: 'extra' }]);
    await mgr.query('dst', undo.pop()!.sql);

    // Past the source's last key: only the tail check can see it.
    await mgr.query('dst', `INSERT INTO orders VALUES (${MAX_ORDER_KEY + 5}, 1, now())`);
    undo.push({ cluster: 'dst', sql: `DELETE FROM orders WHERE id = ${MAX_ORDER_KEY + 5}` });
    rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    o = table(rep, 'orders');
    expect(o).toMatchObject({ ok: false, actualRows: ORDERS + 1, differingChunks: 1 });
    expect(o.firstDifference).toMatchObject({
      fromKey: String(MAX_ORDER_KEY),
      toKey: String(MAX_ORDER_KEY + 5),
    });
    expect(o.firstDifference!.keys).toEqual([{ key: String(MAX_ORDER_KEY + 5), kind: 'extra' }]);

    // A table with its own key and version columns is compared on those columns.
    await mgr.query(
      'dst',
      `UPDATE events SET modified_at = modified_at + interval '1 second' WHERE event_id = 4000`,
    );
    undo.push({
      cluster: 'dst',
      sql: `UPDATE events SET modified_at = modified_at - interval '1 second' WHERE event_id = 4000`,
    });
    rep = await validateDatabases(srcUrl, dstUrl, TABLES);
    expect(table(rep, 'events').firstDifference!.keys).toEqual([{ key: '4000', kind: 'changed' }]);
  });

  it('over 3 connections: one snapshot, the same totals, contiguous chunks, and a difference found where a whole range has no source row', async () => {
    const src = new pg.Client(srcUrl);
    const dst = new pg.Client(dstUrl);
    await Promise.all([src.connect(), dst.connect()]);
    const connectTo = (url: string, beforeReturn?: () => Promise<void>) => async () => {
      const c = new pg.Client(url);
      await c.connect();
      await beforeReturn?.();
      return c;
    };
    const hashSum = (chunks: ReadonlyArray<{ hash: string }>) =>
      chunks.reduce((n, c) => n + BigInt(c.hash), 0n);
    try {
      const seq = await snapshotChecksums(src, TABLES);
      // Rows committed after the leader's snapshot, as each helper connects: none may be seen.
      let late = 0;
      const par = await snapshotChecksums(src, TABLES, {
        parallel: {
          workers: 3,
          connect: connectTo(srcUrl, async () => {
            late++;
            // odd keys spread over the whole key range (so in every worker's ranges)
            await mgr.query(
              'src',
              `INSERT INTO orders SELECT 160000 * g + ${2 * late + 1}, 1, now() FROM generate_series(0, 12) g`,
            );
          }),
        },
      });
      undo.push({ cluster: 'src', sql: 'DELETE FROM orders WHERE id % 2 = 1' });
      expect(late).toBe(2);
      for (const t of seq.tables) {
        const p = par.tables.find((x) => x.table === t.table)!;
        expect([p.rowCount, p.maxKey, hashSum(p.chunks)]).toEqual([
          t.rowCount,
          t.maxKey,
          hashSum(t.chunks),
        ]);
        expect(p.chunks[0]!.fromKey).toBeNull();
        p.chunks.forEach((c, i) => i > 0 && expect(c.fromKey).toBe(p.chunks[i - 1]!.toKey));
      }
      expect(par.tables.find((t) => t.table === 'orders')!.chunks.length).toBeGreaterThan(
        seq.tables.find((t) => t.table === 'orders')!.chunks.length,
      ); // 12 ranges, so more (smaller) chunks than 20 sequential ones
      await mgr.query('src', undo.pop()!.sql);

      // Keys (500000, 700000] gone on both sides: at least one parallel range holds no row.
      for (const c of ['src', 'dst'] as const) {
        await mgr.query(c, 'DELETE FROM orders WHERE id > 500000 AND id <= 700000');
        undo.push({
          cluster: c,
          sql: `INSERT INTO orders SELECT 2 * g, g % 1000, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(250001, 350000) g`,
        });
      }
      const gap = await snapshotChecksums(src, TABLES, {
        parallel: { workers: 3, connect: connectTo(srcUrl) },
      });
      const par3 = { workers: 3, connect: connectTo(dstUrl) };
      expect((await verifySnapshot(gap, dst, { parallel: par3 })).ok).toBe(true);
      // An extra row on the target inside that empty span is still inside some chunk.
      await mgr.query('dst', 'INSERT INTO orders VALUES (600001, 1, now())');
      undo.push({ cluster: 'dst', sql: 'DELETE FROM orders WHERE id = 600001' });
      const rep = await verifySnapshot(gap, dst, { parallel: par3, expectedClient: src });
      expect(table(rep, 'orders')).toMatchObject({ ok: false, differingChunks: 1 });
      expect(table(rep, 'orders').firstDifference!.keys).toEqual([
        { key: '600001', kind: 'extra' },
      ]);
    } finally {
      await Promise.all([src.end(), dst.end()]);
    }
  });

  it('with boundedByExpected, ignores rows added after an earlier snapshot beyond its max key', async () => {
    const src = new pg.Client(srcUrl);
    const dst = new pg.Client(dstUrl);
    await Promise.all([src.connect(), dst.connect()]);
    try {
      const snap = await snapshotChecksums(src, TABLES);
      // Writes after the snapshot, on both sides, all past the snapshot's max key.
      for (const c of ['src', 'dst'] as const) {
        await mgr.query(
          c,
          `INSERT INTO orders SELECT ${MAX_ORDER_KEY} + g, 1, now() FROM generate_series(1, 1000) g`,
        );
        undo.push({ cluster: c, sql: `DELETE FROM orders WHERE id > ${MAX_ORDER_KEY}` });
      }
      const bounded = await verifySnapshot(snap, dst, { boundedByExpected: true });
      expect(bounded.ok).toBe(true);
      expect(table(bounded, 'orders').actualRows).toBe(ORDERS);

      const unbounded = await verifySnapshot(snap, dst);
      expect(unbounded.ok).toBe(false);
      expect(table(unbounded, 'orders')).toMatchObject({ actualRows: ORDERS + 1000 });
      expect(table(unbounded, 'orders').firstDifference!.fromKey).toBe(String(MAX_ORDER_KEY));

      // Bounded still catches a change below the snapshot's max key.
      await mgr.query(
        'dst',
        `UPDATE orders SET updated_at = updated_at + interval '1 day' WHERE id = 10`,
      );
      undo.push({
        cluster: 'dst',
        sql: `UPDATE orders SET updated_at = updated_at - interval '1 day' WHERE id = 10`,
      });
      const changed = await verifySnapshot(snap, dst, { boundedByExpected: true });
      expect(changed.ok).toBe(false);
      const d = table(changed, 'orders').firstDifference!;
      expect(d.fromKey).toBeNull();
      expect(BigInt(d.toKey)).toBeGreaterThanOrEqual(10n);
    } finally {
      await Promise.all([src.end(), dst.end()]);
    }
  });

  it('`drkit validate` exits 0 on equality and 11 on a mismatch, with parseable --json', async () => {
    if (!existsSync(CLI))
      throw new Error(
        `${CLI} is missing: run \`npm run build -w packages/drkit\` first (npm test does)`,
      );
    const args = ['validate', '--source', srcUrl, '--target', dstUrl, '--tables', 'users,orders'];

    const ok = await runCli(['--json', ...args]);
    expect(ok.code, ok.stderr).toBe(0);
    const okJson = JSON.parse(ok.stdout) as ValidationReport;
    expect(okJson.ok).toBe(true);
    expect(okJson.tables.map((t) => t.table)).toEqual(['users', 'orders']);

    await mgr.query(
      'dst',
      `UPDATE orders SET updated_at = updated_at + interval '1 millisecond' WHERE id = ${CHANGED_KEY}`,
    );
    undo.push({
      cluster: 'dst',
      sql: `UPDATE orders SET updated_at = updated_at - interval '1 millisecond' WHERE id = ${CHANGED_KEY}`,
    });

    const bad = await runCli(['--json', ...args]);
    expect(bad.code, bad.stderr).toBe(11);
    const badJson = JSON.parse(bad.stdout) as {
      error: { code: string; details: Pick<ValidationReport, 'tables'> };
    };
    expect(badJson.error.code).toBe('VALIDATION_FAILED');
    expect(badJson.error.details.tables.find((t) => t.table === 'users')!.ok).toBe(true);
    const o = badJson.error.details.tables.find((t) => t.table === 'orders')!;
    expect(o.ok).toBe(false);
    expect(o.firstDifference!.keys).toEqual([{ key: String(CHANGED_KEY), kind: 'changed' }]);

    const human = await runCli(args);
    expect(human.code).toBe(11);
    expect(human.stdout).toContain('users: OK (1000 rows)');
    expect(human.stdout).toContain(`${CHANGED_KEY}:changed`);
    expect(human.stderr).toContain('data validation failed');
  });
});
