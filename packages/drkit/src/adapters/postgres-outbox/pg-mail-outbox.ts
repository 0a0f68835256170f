import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DrError } from '../../engine/errors.js';
import type {
  ClaimOutcome,
  MailOutbox,
  OutboxMessage,
  OutboxStatus,
} from '../../ports/mail-outbox.js';
import type { Mail, MailFailure } from '../../ports/mailer.js';
import { MAIL_OUTBOX_SQL } from './schema.js';

/** Options of {@link PgMailOutbox}. */
export interface PgMailOutboxOptions {
  /** Opens a connection to the app's database (the caller's credentials; never logged). */
  readonly connect: () => Promise<pg.Client>;
  /** Create the tables when absent. @default true */
  readonly ensureSchema?: boolean;
}

interface Row {
  id: string;
  message_id: string;
  critical: boolean;
  category: string;
  mail: Omit<Mail, 'messageId'>;
  status: OutboxStatus;
  attempts: number;
  provider: string | null;
  failure: MailFailure | null;
  claim_key: string | null;
  created_at: Date;
}

/**
 * The mail outbox port on the app's PostgreSQL (`mail_outbox`, `mail_attempts`). A claim is a
 * single `UPDATE … WHERE status = $from RETURNING`, committed before the provider is called.
 */
export class PgMailOutbox implements MailOutbox {
  readonly kind = 'postgres';
  private client: Promise<pg.Client> | undefined;

  constructor(private readonly opts: PgMailOutboxOptions) {}

  private queue: Promise<unknown> = Promise.resolve();

  private async connection(): Promise<pg.Client> {
    this.client ??= (async () => {
      const c = await this.opts.connect();
      if (this.opts.ensureSchema ?? true) await c.query(MAIL_OUTBOX_SQL);
      return c;
    })();
    return await this.client;
  }

  /**
   * Runs `fn` alone on the one connection: operations of this instance never interleave (a
   * transaction in `record` must not take in another caller's statements).
   */
  private async exclusive<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => fn(await this.connection()));
    this.queue = run.catch(() => undefined);
    return await run;
  }

  /** Ends the connection. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await (await c).end();
  }

  async enqueue(msg: {
    critical: boolean;
    category: string;
    mail: Omit<Mail, 'messageId'>;
  }): Promise<OutboxMessage> {
    const domain = /@([^>\s]+)>?$/.exec(msg.mail.from)?.[1] ?? 'drkit.invalid';
    const { rows } = await this.exclusive((db) =>
      db.query<Row>(
        `INSERT INTO mail_outbox (message_id, critical, category, mail) VALUES ($1, $2, $3, $4) RETURNING *`,
        [`${randomUUID()}@${domain}`, msg.critical, msg.category, JSON.stringify(msg.mail)],
      ),
    );
    return toMessage(rows[0]!);
  }

  async list(
    status: OutboxStatus,
    opts: { criticalOnly?: boolean; limit?: number } = {},
  ): Promise<OutboxMessage[]> {
    const { rows } = await this.exclusive((db) =>
      db.query<Row>(
        `SELECT * FROM mail_outbox WHERE status = $1 AND (critical OR NOT $2) ORDER BY id LIMIT $3`,
        [status, opts.criticalOnly ?? false, opts.limit ?? 100_000],
      ),
    );
    return rows.map(toMessage);
  }

  async claimedBy(claimKey: string, status: OutboxStatus): Promise<OutboxMessage[]> {
    const { rows } = await this.exclusive((db) =>
      db.query<Row>(`SELECT * FROM mail_outbox WHERE status = $1 AND claim_key = $2 ORDER BY id`, [
        status,
        claimKey,
      ]),
    );
    return rows.map(toMessage);
  }

  async claim(
    id: string,
    from: OutboxStatus,
    provider: string,
    claimKey: string,
  ): Promise<ClaimOutcome> {
    return await this.exclusive(async (db) => {
      const won = await db.query(
        `UPDATE mail_outbox SET status = 'sending', provider = $3, claim_key = $4,
         attempts = attempts + 1, claimed_at = clock_timestamp()
       WHERE id = $1 AND status = $2 RETURNING id`,
        [id, from, provider, claimKey],
      );
      if (won.rowCount === 1) return 'claimed';
      const { rows } = await db.query<{ status: OutboxStatus }>(
        `SELECT status FROM mail_outbox WHERE id = $1`,
        [id],
      );
      const s = rows[0]?.status;
      return s === 'sent' ? 'sent' : s === 'sending' ? 'in-doubt' : 'skipped';
    });
  }

  async recordSent(id: string, claimKey: string, providerMessageId: string): Promise<void> {
    await this.record(id, claimKey, 'sent', undefined, providerMessageId, undefined);
  }

  async recordFailed(
    id: string,
    claimKey: string,
    failure: MailFailure,
    reason: string,
  ): Promise<void> {
    await this.record(id, claimKey, 'failed', failure, undefined, reason);
  }

  private async record(
    id: string,
    claimKey: string,
    outcome: 'sent' | 'failed',
    failure: MailFailure | undefined,
    providerMessageId: string | undefined,
    reason: string | undefined,
  ): Promise<void> {
    await this.exclusive(async (db) => {
      await db.query('BEGIN');
      try {
        const r = await db.query<{ provider: string }>(
          `UPDATE mail_outbox SET status = $3, failure = $4, provider_message_id = coalesce($5, provider_message_id),
           last_error = $6, sent_at = CASE WHEN $3 = 'sent' THEN clock_timestamp() END
         WHERE id = $1 AND status = 'sending' AND claim_key = $2 RETURNING provider`,
          [
            id,
            claimKey,
            outcome,
            failure ?? null,
            providerMessageId ?? null,
            reason?.slice(0, 500) ?? null,
          ],
        );
        if (r.rowCount !== 1) {
          throw new DrError('CONFLICT', `outbox message ${id} is not claimed by ${claimKey}`, {
            hint: 'another sender claimed it: its outcome is recorded there',
          });
        }
        await db.query(
          `INSERT INTO mail_attempts (outbox_id, provider, claim_key, outcome, failure) VALUES ($1, $2, $3, $4, $5)`,
          [id, r.rows[0]!.provider, claimKey, outcome, failure ?? null],
        );
        await db.query('COMMIT');
      } catch (err) {
        await db.query('ROLLBACK');
        throw err;
      }
    });
  }

  async outcomes(since: Date) {
    const { rows } = await this.exclusive((db) =>
      db.query<{ provider: string; outcome: 'sent' | 'failed'; n: string }>(
        `SELECT provider, outcome, count(*) AS n FROM mail_attempts WHERE at >= $1 GROUP BY 1, 2`,
        [since],
      ),
    );
    const byProvider: Record<string, { sent: number; failed: number }> = {};
    let sent = 0;
    let failed = 0;
    for (const r of rows) {
      const p = (byProvider[r.provider] ??= { sent: 0, failed: 0 });
      p[r.outcome] += Number(r.n);
      if (r.outcome === 'sent') sent += Number(r.n);
      else failed += Number(r.n);
    }
    return { sent, failed, byProvider };
  }

  async reserveSlot(provider: string, perMinute: number): Promise<Date> {
    // one row per provider: the upsert takes its lock, so concurrent senders queue up
    const { rows } = await this.exclusive((db) =>
      db.query<{ at: Date }>(
        `INSERT INTO mail_send_slots AS s (provider, next_at)
         VALUES ($1, clock_timestamp() + make_interval(secs => 60.0 / $2))
         ON CONFLICT (provider) DO UPDATE
           SET next_at = greatest(s.next_at, clock_timestamp()) + make_interval(secs => 60.0 / $2)
         RETURNING next_at - make_interval(secs => 60.0 / $2) AS at`,
        [provider, perMinute],
      ),
    );
    return rows[0]!.at;
  }

  planResend(id: string, provider: string): string[] {
    return [
      `UPDATE mail_outbox SET status='sending', provider='${provider}', claim_key=<execution id> WHERE id=${id} AND status='failed'`,
    ];
  }
}

function toMessage(r: Row): OutboxMessage {
  return {
    id: String(r.id),
    messageId: r.message_id,
    critical: r.critical,
    category: r.category,
    mail: { ...r.mail, messageId: r.message_id },
    status: r.status,
    attempts: r.attempts,
    provider: r.provider ?? undefined,
    failure: r.failure ?? undefined,
    claimKey: r.claim_key ?? undefined,
    createdAt: r.created_at,
  };
}
