import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Secrets } from '../ports/secrets.js';

/**
 * The secret holding the session epoch: `{ "epoch": n, "signedOutAt": "…" }`. A session is
 * valid only while its row exists AND it was issued in the current epoch. A global sign-out
 * raises the epoch here and deletes the rows; restoring the database to before the sign-out
 * brings the rows back, but not their epoch, so they stay signed out.
 */
export const SESSIONS_SECRET = 'drkit/sessions';

/** The app's session store (a table of its database): token hashes only, never a token. */
export const SESSIONS_SQL = `
CREATE TABLE IF NOT EXISTS sessions (
  token_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  epoch integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions(user_id);
`;

/** What {@link SESSIONS_SECRET} holds. */
export interface SessionEpochValue {
  readonly epoch: number;
  readonly signedOutAt?: string;
}

/** The stored form of a session token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Reads the session epoch (0 when the secret does not exist yet). */
export async function readSessionEpoch(secrets: Secrets, name = SESSIONS_SECRET): Promise<number> {
  try {
    const v = (await secrets.get(name)) as Partial<SessionEpochValue>;
    return typeof v.epoch === 'number' ? v.epoch : 0;
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return 0;
    throw err;
  }
}

/**
 * The epoch an app task applies, re-read at most every `refreshMs` like its config; a store
 * hiccup keeps the last value read (never falls back to 0, which would revive signed-out
 * sessions).
 */
export class SessionEpoch {
  private value: number | undefined;
  private readAt = 0;

  constructor(
    private readonly secrets: Secrets,
    private readonly refreshMs = 200,
    private readonly name = SESSIONS_SECRET,
  ) {}

  async current(): Promise<number> {
    if (this.value === undefined || Date.now() - this.readAt >= this.refreshMs) {
      try {
        this.value = await readSessionEpoch(this.secrets, this.name);
        this.readAt = Date.now();
      } catch (err) {
        if (this.value === undefined) throw err;
      }
    }
    return this.value;
  }
}

/** Opens a session for a user: a random token (returned once) whose hash is stored. */
export async function openSession(
  pool: pg.Pool,
  userId: string,
  epoch: number,
): Promise<{ token: string; epoch: number }> {
  const token = randomBytes(32).toString('hex');
  await pool.query(`INSERT INTO sessions (token_hash, user_id, epoch) VALUES ($1, $2, $3)`, [
    tokenHash(token),
    userId,
    epoch,
  ]);
  return { token, epoch };
}

/** The user of a valid session: its row exists and was issued in the current epoch. */
export async function sessionUser(
  pool: pg.Pool,
  token: string,
  epoch: number,
): Promise<string | undefined> {
  const r = await pool.query<{ user_id: string }>(
    `SELECT user_id::text FROM sessions WHERE token_hash = $1 AND epoch = $2`,
    [tokenHash(token), epoch],
  );
  return r.rows[0]?.user_id;
}

/** The bearer token of a request, if any. */
export function bearer(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+([0-9a-f]{16,128})$/i.exec(h ?? '');
  return m?.[1];
}
