import pg from 'pg';
import { readAppConfig, type AppConfig } from '../lab/app-config.js';
import type { Secrets } from '../ports/secrets.js';

/**
 * The app's database handle: reads its endpoint and `global_readonly` from the secrets port at
 * run time (re-read at most every `refreshMs`) and swaps its connection pool when the endpoint
 * changes — a failover needs no restart of the app.
 */
export class AppDb {
  private cfg: AppConfig | undefined;
  private readAt = 0;
  private pool: pg.Pool | undefined;
  private poolKey = '';

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
    const key = `${cfg.dbClusterId}@${cfg.db.host}:${cfg.db.port}/${cfg.db.database}`;
    if (!this.pool || key !== this.poolKey) {
      const old = this.pool;
      const pool = new pg.Pool({
        host: cfg.db.host,
        port: cfg.db.port,
        database: cfg.db.database,
        user: cfg.db.user,
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
      void old?.end().catch(() => undefined);
    }
    return { pool: this.pool, cfg };
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }
}
