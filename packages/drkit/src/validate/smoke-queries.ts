import type pg from 'pg';

/** One read the application serves, run as SQL against a restored copy. */
export interface SmokeQuery {
  readonly name: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The answer must have at least this many rows. */
  readonly minRows: number;
}

/**
 * The lab app's read paths (`app/server.ts`: login, profile with its order count, search,
 * a user's messages, a payment joined to its order) as SQL, for a copy no app points at.
 * User 1 and `user1@example.test` are the seed's first user.
 */
export const APP_SMOKE_QUERIES: ReadonlyArray<SmokeQuery> = [
  {
    name: 'login',
    sql: 'SELECT id::text FROM users WHERE email = $1',
    params: ['user1@example.test'],
    minRows: 1,
  },
  {
    name: 'profile',
    sql: 'SELECT id::text, email, name, (SELECT count(*)::int FROM orders WHERE user_id = u.id) AS orders FROM users u WHERE id = $1',
    params: [1],
    minRows: 1,
  },
  {
    name: 'search',
    sql: 'SELECT id::text, name FROM users WHERE name ILIKE $1 ORDER BY id LIMIT 20',
    params: ['%User 1%'],
    minRows: 1,
  },
  {
    name: 'messages',
    sql: 'SELECT id::text, body FROM messages WHERE user_id = (SELECT min(user_id) FROM messages) ORDER BY id DESC LIMIT 20',
    params: [],
    minRows: 1,
  },
  {
    name: 'payments',
    sql: 'SELECT p.id::text, o.id::text AS order_id FROM payments p JOIN orders o ON o.id = p.order_id ORDER BY p.id DESC LIMIT 20',
    params: [],
    minRows: 1,
  },
];

/** Each query's outcome: ok with its row count, or what went wrong. Never throws. */
export async function runSmokeQueries(
  client: pg.ClientBase,
  queries: ReadonlyArray<SmokeQuery> = APP_SMOKE_QUERIES,
): Promise<Array<{ name: string; ok: boolean; detail: string }>> {
  const out: Array<{ name: string; ok: boolean; detail: string }> = [];
  for (const q of queries) {
    const t = Date.now();
    try {
      const r = await client.query(q.sql, [...q.params]);
      const ok = r.rows.length >= q.minRows;
      out.push({
        name: q.name,
        ok,
        detail: `${r.rows.length} rows in ${Date.now() - t} ms${ok ? '' : ` (expected at least ${q.minRows})`}`,
      });
    } catch (err) {
      out.push({ name: q.name, ok: false, detail: (err as Error).message });
    }
  }
  return out;
}
