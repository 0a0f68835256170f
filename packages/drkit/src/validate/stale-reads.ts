import type pg from 'pg';

/** One read the app answered differently from the database it points at. */
export interface StaleRead {
  readonly path: string;
  /** What the app served (`404` when it said there is no such row). */
  readonly served: string;
  /** What the database holds (`absent` when it has no such row). */
  readonly truth: string;
}

/** What {@link measureStaleReads} found. */
export interface StaleReadsResult {
  /** Reads made: one per user and per order asked about. */
  readonly reads: number;
  readonly stale: readonly StaleRead[];
  /** Reads the app said came from its cache. */
  readonly cacheHits: number;
}

/**
 * Reads each user (`GET /users/:id`: name, email, order count) and order (`GET /orders/:id`)
 * through the app at `base`, and compares each answer with the database the app points at
 * now (`db`), read right after. A read is stale when the two differ: the app served a row the
 * database no longer has, lacks one it has, or shows other values. Never throws for a
 * mismatch; the definition counts every difference, a 5xx included.
 */
export async function measureStaleReads(
  base: string,
  db: pg.ClientBase,
  ask: { readonly users: readonly number[]; readonly orders: readonly number[] },
): Promise<StaleReadsResult> {
  const stale: StaleRead[] = [];
  let cacheHits = 0;
  const check = async (
    path: string,
    field: 'user' | 'order',
    sql: string,
    id: number,
    pick: (row: Record<string, unknown>) => string,
  ) => {
    const r = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });
    const body = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    if (body.cache === 'hit') cacheHits++;
    const served =
      r.status === 404
        ? '404'
        : r.ok
          ? pick(body[field] as Record<string, unknown>)
          : `${r.status} ${JSON.stringify(body)}`;
    const q = await db.query(sql, [id]);
    const truth = q.rows[0] ? pick(q.rows[0] as Record<string, unknown>) : 'absent';
    if (served !== truth && !(served === '404' && truth === 'absent'))
      stale.push({ path, served, truth });
  };
  for (const id of ask.users)
    await check(
      `/users/${id}`,
      'user',
      'SELECT id::text, email, name, (SELECT count(*)::int FROM orders WHERE user_id = u.id) AS orders FROM users u WHERE id = $1',
      id,
      (u) => `${String(u.name)} <${String(u.email)}> ${String(u.orders)} orders`,
    );
  for (const id of ask.orders)
    await check(
      `/orders/${id}`,
      'order',
      'SELECT id::text, user_id::text, amount_cents, status FROM orders WHERE id = $1',
      id,
      (o) =>
        `order ${String(o.id)} of user ${String(o.user_id)}: ${String(o.amount_cents)} ${String(o.status)}`,
    );
  return { reads: ask.users.length + ask.orders.length, stale, cacheHits };
}
