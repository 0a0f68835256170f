import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AppPaymentsConfig } from '../lab/app-config.js';
import type { Secrets } from '../ports/secrets.js';
import { AppDb } from './app-db.js';
import { AppPayments } from './payments/app-payments.js';
import { checkoutPay, receiveWebhook } from './payments/payment-routes.js';
import { bearer, openSession, SessionEpoch, sessionUser } from './sessions.js';
import { indexPerson, searchPeople, type PersonRow } from './search.js';

/** Options of {@link createAppServer}. */
export interface AppServerOptions {
  readonly secrets: Secrets;
  /** @default 'drkit/app' */
  readonly secretName?: string;
  /** Region and task names, echoed in `X-Drkit-*` response headers. */
  readonly region: string;
  readonly task: string;
  /** How often the app config is re-read. @default 200 */
  readonly refreshMs?: number;
}

type Json = Record<string, unknown>;
/** The request as received, for routes that need more than the parsed body (a signature). */
interface RawRequest {
  readonly raw: string;
  readonly headers: http.IncomingHttpHeaders;
}
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a task says on `/healthz` about the config it applies, so a freeze can be confirmed
 * (see `runbooks/freeze-confirmation.ts`).
 */
export interface AppliedConfig {
  /** Hash of the config value the task enforces now (12 hex digits of its SHA-256). */
  readonly generation: string;
  readonly global_readonly: boolean;
  readonly dbClusterId: string;
  /** Writes admitted under a writable config and not finished yet (0 once a freeze holds). */
  readonly writesInFlight: number;
  /** The role the task's connection pool logs in as (a rotation waits for the new one). */
  readonly dbUser: string;
  /** Pools of an earlier credential or endpoint still draining (0: none left open). */
  readonly oldPoolsDraining: number;
  /** The session epoch the task applies (a global sign-out waits for the new one). */
  readonly sessionEpoch: number;
}

/** The generation of a config value: what {@link AppliedConfig.generation} reports. */
export function configGeneration(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

/**
 * The sample service the lab protects: users, orders, payments, messages over HTTP.
 * - `GET /healthz`: 200 when the process is up and its database answers, else 503; both carry
 *   `config` ({@link AppliedConfig}): the config generation the task applies and the writes
 *   it admitted that are still in flight.
 * - `GET|POST /dbcheck`: a real write and read-back.
 * - `POST /orders`: the workload's write (201 with the row; 503 `global_readonly` when frozen).
 * - Sessions (app/sessions.ts): `POST /auth/login {email}` opens one (200, a bearer token; a
 *   write, refused under `global_readonly`), `GET /auth/session` answers 200 with its user
 *   while it is valid (its row exists, issued in the current epoch of the sessions secret),
 *   401 otherwise. A global sign-out raises the epoch and deletes the rows (lab-sessions).
 * - Smoke endpoints: `GET /search?q=`, `GET /users/:id`, `POST /checkout`
 *   (test mode only), `POST /messages`, `GET /messages?user_id=`.
 * - `GET /search?q=&city=&role=` is served from the search cluster through its alias when the
 *   app config has `search` (and says `partial` while a reindex has only the hot slices in).
 * - `POST /people/:id`: the workload's change to a person (rating + 1, `updated_at` now); after
 *   the commit, with `search` configured, the person's document is upserted through the alias
 *   (`index: 'upserted'`, or `'failed: …'`: the row is committed either way, as on a platform
 *   whose database is the source of truth; RB-N-04's catch-up pass reads such rows again).
 * - With `payments` in the app config (404 without): `POST /checkout/pay {user_id,
 *   amount_cents}` creates an order awaiting payment and a PaymentIntent at the provider;
 *   `POST /webhooks/stripe` verifies the signature and processes the event idempotently
 *   (see payments/payment-routes.ts). Both refuse writes under `global_readonly`.
 */
export function createAppServer(o: AppServerOptions): { server: http.Server; db: AppDb } {
  const db = new AppDb(o.secrets, o.secretName ?? 'drkit/app', o.refreshMs ?? 200);
  const payments = new AppPayments(o.secrets);
  const sessionEpoch = new SessionEpoch(o.secrets, o.refreshMs ?? 200);
  const paymentsOf = (cfg: { payments?: AppPaymentsConfig }): AppPaymentsConfig => {
    if (!cfg.payments)
      throw new HttpError(404, 'payments are off: the app config has no payments section');
    return cfg.payments;
  };
  // Each request runs in its own store: a write admitted under a writable config stays counted
  // until its response is sent, so a freeze is confirmed only once no such write can commit.
  const requestScope = new AsyncLocalStorage<{ admitted: boolean }>();
  let writesInFlight = 0;
  const writable = async () => {
    const r = await db.db();
    if (r.cfg.global_readonly) throw new HttpError(503, 'global_readonly');
    const scope = requestScope.getStore();
    if (scope && !scope.admitted) {
      scope.admitted = true;
      writesInFlight++;
    }
    return r;
  };
  const applied = async (): Promise<AppliedConfig> => {
    const cfg = await db.config();
    await db.db(); // the pool of the config just read: what dbUser reports is in use
    return {
      generation: configGeneration(cfg),
      global_readonly: cfg.global_readonly === true,
      dbClusterId: cfg.dbClusterId,
      writesInFlight,
      ...db.credentialInUse(),
      sessionEpoch: await sessionEpoch.current(),
    };
  };
  const routes: Array<
    [
      string,
      RegExp,
      (m: RegExpMatchArray, url: URL, body: Json, req: RawRequest) => Promise<[number, Json]>,
    ]
  > = [
    [
      'GET',
      /^\/healthz$/,
      async () => {
        const config = await applied();
        const { pool, cfg } = await db.db();
        try {
          await pool.query('SELECT 1');
        } catch (err) {
          return [503, { error: (err as Error).message.slice(0, 200), config }];
        }
        return [
          200,
          { ok: true, region: o.region, task: o.task, cluster: cfg.dbClusterId, config },
        ];
      },
    ],
    [
      'ANY',
      /^\/dbcheck$/,
      async () => {
        const { pool, cfg } = await writable();
        const token = `dbcheck:${randomUUID()}`;
        const w = await pool.query<{ id: string }>(
          `INSERT INTO messages (user_id, body) SELECT min(id), $1 FROM users RETURNING id::text`,
          [token],
        );
        const r = await pool.query<{ body: string }>(`SELECT body FROM messages WHERE id = $1`, [
          w.rows[0]!.id,
        ]);
        if (r.rows[0]?.body !== token)
          throw new HttpError(500, 'read-back did not return the row just written');
        return [200, { ok: true, cluster: cfg.dbClusterId, id: w.rows[0]!.id }];
      },
    ],
    [
      'POST',
      /^\/orders$/,
      async (_m, _u, b) => {
        const { pool, cfg } = await writable();
        const r = await pool.query(
          `INSERT INTO orders (user_id, amount_cents, status, client_ref) VALUES ($1, $2, 'new', $3)
         RETURNING id::text, client_ref::text, created_at`,
          [num(b.user_id), num(b.amount_cents), str(b.client_ref)],
        );
        return [201, { order: r.rows[0], cluster: cfg.dbClusterId }];
      },
    ],
    [
      'POST',
      /^\/people\/(\d+)$/,
      async (m) => {
        const { pool, cfg } = await writable();
        const r = await pool.query<PersonRow>(
          `UPDATE people SET rating = (rating + 1) % 1000, updated_at = now() WHERE id = $1
         RETURNING id::text, name, city, role, bio, rating`,
          [m[1]],
        );
        const row = r.rows[0];
        if (!row) throw new HttpError(404, 'no such person');
        let index = 'none';
        if (cfg.search) {
          // after the commit: the index follows the database, never the other way round
          index = await indexPerson(cfg.search, row).then(
            () => 'upserted',
            (err: Error) => `failed: ${err.message.slice(0, 160)}`,
          );
        }
        return [200, { person: row, index, cluster: cfg.dbClusterId }];
      },
    ],
    [
      'POST',
      /^\/auth\/login$/,
      async (_m, _u, b) => {
        const { pool } = await writable();
        const r = await pool.query<{ id: string }>(`SELECT id::text FROM users WHERE email = $1`, [
          str(b.email),
        ]);
        if (!r.rows[0]) throw new HttpError(401, 'unknown user');
        const s = await openSession(pool, r.rows[0].id, await sessionEpoch.current());
        return [200, { user_id: r.rows[0].id, ...s }];
      },
    ],
    [
      'GET',
      /^\/auth\/session$/,
      async (_m, _u, _b, req) => {
        const token = bearer(req.headers.authorization);
        if (!token) throw new HttpError(401, 'no bearer token');
        const { pool } = await db.db();
        const user = await sessionUser(pool, token, await sessionEpoch.current());
        if (!user) throw new HttpError(401, 'session not valid');
        return [200, { user_id: user }];
      },
    ],
    [
      'GET',
      /^\/search$/,
      async (_m, url) => {
        const cfg = await db.config();
        if (cfg.search) {
          // served from the search cluster through its alias; a dead cluster is a 503
          try {
            const p = url.searchParams;
            return [
              200,
              {
                ...(await searchPeople(cfg.search, {
                  q: p.get('q') ?? '',
                  city: p.get('city'),
                  role: p.get('role'),
                })),
              },
            ];
          } catch (err) {
            throw new HttpError(503, (err as Error).message);
          }
        }
        const { pool } = await db.db();
        const r = await pool.query(
          `SELECT id::text, name FROM users WHERE name ILIKE $1 ORDER BY id LIMIT 20`,
          [`%${url.searchParams.get('q') ?? ''}%`],
        );
        return [200, { results: r.rows }];
      },
    ],
    [
      'GET',
      /^\/users\/(\d+)$/,
      async (m) => {
        const { pool } = await db.db();
        const r = await pool.query(
          `SELECT id::text, email, name, (SELECT count(*)::int FROM orders WHERE user_id = u.id) AS orders FROM users u WHERE id = $1`,
          [m[1]],
        );
        if (!r.rows[0]) throw new HttpError(404, 'no such user');
        return [200, { user: r.rows[0] }];
      },
    ],
    [
      'POST',
      /^\/checkout$/,
      async (_m, _u, b) => {
        if (b.test_mode !== true)
          throw new HttpError(400, 'the lab app checks out in test mode only');
        const { pool } = await writable();
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const ord = await c.query<{ id: string }>(
            `INSERT INTO orders (user_id, amount_cents, status) VALUES ($1, $2, 'paid') RETURNING id::text`,
            [num(b.user_id), num(b.amount_cents)],
          );
          const pay = await c.query(
            `INSERT INTO payments (order_id, amount_cents, provider_ref, status) VALUES ($1, $2, $3, 'test') RETURNING id::text, provider_ref`,
            [ord.rows[0]!.id, num(b.amount_cents), `pi_test_${randomBytes(6).toString('hex')}`],
          );
          await c.query('COMMIT');
          return [201, { order_id: ord.rows[0]!.id, payment: pay.rows[0] }];
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          c.release();
        }
      },
    ],
    [
      'POST',
      /^\/checkout\/pay$/,
      async (_m, _u, b) => {
        const { pool, cfg } = await writable();
        const provider = payments.provider(paymentsOf(cfg));
        return await checkoutPay(pool, provider, {
          userId: num(b.user_id),
          amountCents: num(b.amount_cents),
        });
      },
    ],
    [
      'POST',
      /^\/webhooks\/stripe$/,
      async (_m, _u, _b, req) => {
        const { pool, cfg } = await writable();
        const secret = await payments.webhookSecret(paymentsOf(cfg));
        const replayed = req.headers['x-drkit-replayed'] === 'true';
        return await receiveWebhook(
          pool,
          req.raw,
          req.headers['stripe-signature'],
          secret,
          replayed,
        );
      },
    ],
    [
      'POST',
      /^\/messages$/,
      async (_m, _u, b) => {
        const { pool } = await writable();
        const r = await pool.query(
          `INSERT INTO messages (user_id, body) VALUES ($1, $2) RETURNING id::text, body`,
          [num(b.user_id), str(b.body)],
        );
        return [201, { message: r.rows[0] }];
      },
    ],
    [
      'GET',
      /^\/messages$/,
      async (_m, url) => {
        const { pool } = await db.db();
        const r = await pool.query(
          `SELECT id::text, body FROM messages WHERE user_id = $1 ORDER BY id DESC LIMIT 20`,
          [url.searchParams.get('user_id')],
        );
        return [200, { messages: r.rows }];
      },
    ],
  ];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const scope = { admitted: false };
      void requestScope.run(scope, async () => {
        const url = new URL(req.url ?? '/', 'http://app');
        let status = 404;
        let payload: Json = { error: 'not found' };
        try {
          const raw = Buffer.concat(chunks).toString('utf8');
          const body = raw ? (JSON.parse(raw) as Json) : {};
          for (const [method, re, handler] of routes) {
            const m = url.pathname.match(re);
            if (!m || (method !== 'ANY' && method !== req.method)) continue;
            [status, payload] = await handler(m, url, body, { raw, headers: req.headers });
            break;
          }
        } catch (err) {
          // a provider or payments-config failure is a 503 with its message (never a secret)
          status = err instanceof HttpError ? err.status : err instanceof SyntaxError ? 400 : 503;
          payload = { error: (err as Error).message.slice(0, 200) };
        }
        if (scope.admitted) writesInFlight--;
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-drkit-region': o.region,
          'x-drkit-task': o.task,
        });
        res.end(JSON.stringify(payload));
      });
    });
  });
  server.keepAliveTimeout = 5000;
  return { server, db };
}

function num(v: unknown): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new HttpError(400, `not a number: ${String(v)}`);
  return n;
}

function str(v: unknown): string {
  if (typeof v !== 'string' || !v) throw new HttpError(400, 'missing string field');
  return v;
}
