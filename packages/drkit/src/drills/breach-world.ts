import pg from 'pg';
import type { AppTaskEndpoint } from '../ports/app-tasks.js';
import type { Endpoint } from '../ports/database.js';
import type { WorkloadRecord } from '../lab/workload.js';

/** The app credential the attacker stole: the endpoint, its role and password (never logged). */
export interface StolenCredential extends Endpoint {
  readonly password: string;
}

/**
 * The breach: with the app's stolen credential, the attacker rewrites some users' names in one
 * transaction. Returns its start (`now()` in it: a restore to it keeps every earlier commit and
 * none of the attacker's), the rows touched, and the attacker's connection, left open (a
 * rotation must end it).
 */
export async function injectBreach(
  cred: StolenCredential,
): Promise<{ breachAt: Date; tampered: number; attacker: pg.Client }> {
  const attacker = new pg.Client({ ...cred, connectionTimeoutMillis: 5000 });
  attacker.on('error', () => undefined); // ended by the revocation: expected
  await attacker.connect();
  await attacker.query('BEGIN');
  const r = await attacker.query<{ now: Date }>('SELECT now() AS now');
  const u = await attacker.query(`UPDATE users SET name = 'pwned ' || id WHERE id % 7 = 0`);
  await attacker.query('COMMIT');
  return { breachAt: r.rows[0]!.now, tampered: u.rowCount ?? 0, attacker };
}

/** Whether a credential can log in on an endpoint now (a fresh connection, SELECT 1). */
export async function canLogIn(cred: StolenCredential): Promise<boolean> {
  const c = new pg.Client({ ...cred, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Whether a connection opened before still answers (SELECT 1). */
export async function stillAnswers(c: pg.Client): Promise<boolean> {
  try {
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** Opens `n` sessions through `base` (users 1..n log in); returns their tokens (kept in memory only). */
export async function openSessions(base: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `user${i}@example.test` }),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await r.json()) as { token?: string; error?: string };
    if (r.status !== 200 || !body.token)
      throw new Error(`login of user${i} answered ${r.status} ${body.error ?? ''}`);
    tokens.push(body.token);
  }
  return tokens;
}

/**
 * Presents every token to every task directly (the front door may be isolated) and counts the
 * sessions some task still accepts (200 on `GET /auth/session`). A task that does not answer
 * counts as accepting (the count must not be flattered by an outage).
 */
export async function validSessions(
  tasks: ReadonlyArray<AppTaskEndpoint>,
  tokens: readonly string[],
): Promise<{ valid: number; presented: number; unanswered: number }> {
  let valid = 0;
  let presented = 0;
  let unanswered = 0;
  for (const token of tokens) {
    let ok = false;
    for (const t of tasks) {
      presented++;
      try {
        const r = await fetch(`http://${t.address}/auth/session`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(2000),
        });
        await r.arrayBuffer();
        if (r.status === 200) ok = true;
        else if (r.status !== 401) {
          unanswered++;
          ok = true;
        }
      } catch {
        unanswered++;
        ok = true;
      }
    }
    if (ok) valid++;
  }
  return { valid, presented, unanswered };
}

/** Writes that did not succeed (failed or refused) in a window, from the workload log. */
export function writesNotAcked(
  records: readonly WorkloadRecord[],
  from: Date,
  to: Date,
): { failed: number; refused: number; acked: number } {
  const inside = (at: string) => {
    const t = Date.parse(at);
    return t >= from.getTime() && t <= to.getTime();
  };
  let failed = 0;
  let refused = 0;
  let acked = 0;
  for (const r of records) {
    if (r.type === 'switch' || !inside(r.at)) continue;
    if (r.type === 'fail') failed++;
    else if (r.type === 'refused') refused++;
    else acked++;
  }
  return { failed, refused, acked };
}
