import { createHash } from 'node:crypto';
import pg from 'pg';
import { readAppConfig, type AppConfig } from '../lab/app-config.js';
import type { Secrets } from '../ports/secrets.js';

/**
 * The app's database handle: reads its endpoint and `global_readonly` from the secrets port at
 * run time (re-read at most every `refreshMs`) and swaps its connection pool when the endpoint
 * or the credential changes — a failover or a credential rotation needs no restart of the app.
 * The old pool drains: queries already running on it finish, then its connections close.
 */
export class AppDb {
  private cfg: AppConfig | undefined;
  private readAt = 0;
  private pool: pg.Pool | undefined;
  private poolKey = '';
  private poolUser = '';
  private draining = 0;

  constructor(
    private readonly secrets: Secrets,
    private readonly secretName: string,
    private readonly refreshMs = 200,
    private readonly timeoutMs = 1000,
  ) {}

  /** The current config (the last one read when the secrets store hiccups). */
  async config(): Promise<AppConfig> {
    if (!this.cfg || Date.now() - this.readAt >= this.refreshMs) {
      try {
        this.cfg = await readAppConfig(this.secrets, this.secretName);
        this.readAt = Date.now();
      } catch (err) {
        if (!this.cfg) throw err;
      }
    }
    return this.cfg;
  }

  /** A pool for the current endpoint. */
  async db(): Promise<{ pool: pg.Pool; cfg: AppConfig }> {
    const cfg = await this.config();
    const password = (cfg.db as { password?: string }).password;
    // the password counts by its hash only: a rotation to a new password opens a new pool
    const secret = password ? createHash('sha256').update(password).digest('hex') : '';
    const key = `${cfg.dbClusterId}@${cfg.db.user}@${cfg.db.host}:${cfg.db.port}/${cfg.db.database}#${secret}`;
    if (!this.pool || key !== this.poolKey) {
      const old = this.pool;
      const pool = new pg.Pool({
        host: cfg.db.host,
        port: cfg.db.port,
        database: cfg.db.database,
        user: cfg.db.user,
        ...(password ? { password } : {}),
        max: 5,
        connectionTimeoutMillis: this.timeoutMs,
        query_timeout: this.timeoutMs * 2,
        idleTimeoutMillis: 10_000,
        application_name: 'drkit-app',
      });
      // An idle client of a dead server errors out; the next query opens a new one.
      pool.on('error', () => undefined);
      this.pool = pool;
      this.poolKey = key;
      this.poolUser = cfg.db.user;
      if (old) {
        // a request that took the old pool a moment ago still queries it: end it after a
        // grace period (end() then waits for its checked-out clients), never under a query
        this.draining++;
        setTimeout(() => {
          void old
            .end()
            .catch(() => undefined)
            .finally(() => this.draining--);
        }, 500).unref();
      }
    }
    return { pool: this.pool, cfg };
  }

  /**
   * The role the current pool logs in as, and how many older pools still drain (connections
   * of a previous credential still open): what a rotation waits on before revoking it.
   */
  credentialInUse(): { dbUser: string; oldPoolsDraining: number } {
    return { dbUser: this.poolUser, oldPoolsDraining: this.draining };
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }
}
