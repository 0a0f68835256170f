import { randomUUID } from 'node:crypto';
import { PacedLoop } from './paced-loop.js';
import pg from 'pg';
import type { Secrets } from '../ports/secrets.js';
import { readAppConfig, type AppConfig } from './app-config.js';

/** One line of the workload's log: every acknowledged write, every failure, every refusal. */
export type WorkloadRecord =
  | {
      readonly type: 'ack';
      readonly seq: number;
      readonly ref: string;
      readonly id: string;
      readonly at: string;
      readonly cluster: string;
      readonly task?: string;
      /** HTTP mode with several URLs: the index of the URL the request was sent to. */
      readonly door?: number;
    }
  | {
      readonly type: 'fail';
      readonly seq: number;
      readonly ref: string;
      readonly at: string;
      readonly cluster: string;
      readonly error: string;
      /** The app task that answered (HTTP mode), when one did. */
      readonly task?: string;
      /** HTTP mode with several URLs: the index of the URL the request was sent to. */
      readonly door?: number;
    }
  | {
      readonly type: 'refused';
      readonly seq: number;
      readonly at: string;
      readonly reason: 'global_readonly';
      /** The app task that refused (HTTP mode). */
      readonly task?: string;
      /** HTTP mode with several URLs: the index of the URL the request was sent to. */
      readonly door?: number;
    }
  | { readonly type: 'switch'; readonly at: string; readonly cluster: string };

export interface WorkloadOptions {
  /** Where the DB endpoint is read from (direct-DB mode). */
  readonly secrets?: Secrets;
  /**
   * HTTP mode: the front door's URL. Orders are POSTed to `/orders` with the client ref in the
   * body; an ack is HTTP 201 carrying the row. Several URLs, comma-separated (app tasks without
   * a front door), take the writes in turn, so every task's view is measured.
   * @default direct-DB mode
   */
  readonly frontDoor?: string;
  /** JSONL file the records go to. */
  readonly logFile: string;
  /** Target rate of order writes. */
  readonly writesPerSecond: number;
  /** Orders are written for user ids 1..maxUserId. */
  readonly maxUserId: number;
  /** How often the app config is re-read. @default 200 */
  readonly configRefreshMs?: number;
  /** Connect and query timeouts, so a dead endpoint is noticed quickly. @default 1000 */
  readonly timeoutMs?: number;
}

/**
 * The workload client: writes orders at a steady rate the way the application does — reading
 * its DB endpoint and the `global_readonly` flag from the secrets port at run time and
 * reconnecting when the endpoint changes — and logs every acknowledged write (sequence, the
 * client's own ref, the row id, the ack time, the cluster) for RPO and RTO measurement.
 * A write counts as acknowledged only once COMMIT returned.
 */
export class WorkloadGenerator extends PacedLoop<WorkloadRecord> {
  private client: pg.Client | undefined;
  private clientKey = '';
  private cfg: AppConfig | undefined;
  private cfgReadAt = 0;
  private seq = 0;
  readonly stats = { acks: 0, fails: 0, refused: 0 };

  constructor(private readonly opts: WorkloadOptions) {
    super(opts.writesPerSecond, opts.logFile);
    if (!opts.secrets && !opts.frontDoor)
      throw new Error('WorkloadGenerator: give secrets (direct-DB mode) or frontDoor (HTTP mode)');
  }

  /** Stops after the write in flight. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async config(): Promise<AppConfig | undefined> {
    const refresh = this.opts.configRefreshMs ?? 200;
    if (!this.cfg || Date.now() - this.cfgReadAt >= refresh) {
      try {
        this.cfg = await readAppConfig(this.opts.secrets!);
        this.cfgReadAt = Date.now();
      } catch {
        // Keep the last known config: a config store hiccup is not a DB outage.
      }
    }
    return this.cfg;
  }

  private async connection(cfg: AppConfig): Promise<pg.Client> {
    const key = `${cfg.dbClusterId}@${cfg.db.host}:${cfg.db.port}/${cfg.db.database}`;
    if (this.client && this.clientKey === key) return this.client;
    const old = this.client;
    this.client = undefined;
    void old?.end().catch(() => undefined);
    const timeout = this.opts.timeoutMs ?? 1000;
    const c = new pg.Client({
      host: cfg.db.host,
      port: cfg.db.port,
      database: cfg.db.database,
      user: cfg.db.user,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout * 2,
      application_name: 'drkit-workload',
    });
    c.on('error', () => {
      if (this.client === c) this.client = undefined;
    });
    await c.connect();
    this.client = c;
    if (this.clientKey !== key)
      this.log({ type: 'switch', at: new Date().toISOString(), cluster: cfg.dbClusterId });
    this.clientKey = key;
    return c;
  }

  protected async once(): Promise<void> {
    if (this.opts.frontDoor) {
      const doors = this.opts.frontDoor.split(',');
      const door = this.seq % doors.length;
      return await this.postOnce(doors[door]!, doors.length > 1 ? door : undefined);
    }
    const seq = ++this.seq;
    const cfg = await this.config();
    if (!cfg) return;
    if (cfg.global_readonly) {
      this.stats.refused++;
      this.log({ type: 'refused', seq, at: new Date().toISOString(), reason: 'global_readonly' });
      return;
    }
    const ref = randomUUID();
    try {
      const c = await this.connection(cfg);
      const userId = 1 + (seq % Math.max(1, this.opts.maxUserId));
      const r = await c.query<{ id: string }>(
        `INSERT INTO orders (user_id, amount_cents, status, client_ref) VALUES ($1, $2, 'new', $3) RETURNING id::text`,
        [userId, (seq * 37) % 100000, ref],
      );
      this.stats.acks++;
      this.log({
        type: 'ack',
        seq,
        ref,
        id: r.rows[0]!.id,
        at: new Date().toISOString(),
        cluster: cfg.dbClusterId,
      });
    } catch (err) {
      this.stats.fails++;
      const dead = this.client;
      this.client = undefined;
      void dead?.end().catch(() => undefined);
      this.log({
        type: 'fail',
        seq,
        ref,
        at: new Date().toISOString(),
        cluster: cfg.dbClusterId,
        error: (err as Error).message.slice(0, 200),
      });
    }
  }

  /**
   * HTTP mode: one order through the front door, as a browser or API client would. `door`: the
   * index of `base` among several URLs, logged so a request no task answered is still known
   * to have gone to that task.
   */
  private async postOnce(base: string, door?: number): Promise<void> {
    const seq = ++this.seq;
    const to = door === undefined ? {} : { door };
    const ref = randomUUID();
    const userId = 1 + (seq % Math.max(1, this.opts.maxUserId));
    try {
      const r = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user_id: userId,
          amount_cents: (seq * 37) % 100000,
          client_ref: ref,
        }),
        signal: AbortSignal.timeout((this.opts.timeoutMs ?? 1000) * 2),
      });
      const body = (await r.json().catch(() => ({}))) as {
        order?: { id: string; client_ref: string };
        cluster?: string;
        error?: string;
      };
      const at = new Date().toISOString();
      if (r.status === 201 && body.order?.client_ref === ref) {
        this.stats.acks++;
        this.log({
          type: 'ack',
          seq,
          ref,
          id: body.order.id,
          at,
          cluster: body.cluster ?? '?',
          task: r.headers.get('x-drkit-task') ?? '?',
          ...to,
        });
      } else if (r.status === 503 && body.error === 'global_readonly') {
        this.stats.refused++;
        this.log({
          type: 'refused',
          seq,
          at,
          reason: 'global_readonly',
          task: r.headers.get('x-drkit-task') ?? '?',
          ...to,
        });
      } else {
        this.stats.fails++;
        this.log({
          type: 'fail',
          seq,
          ref,
          at,
          cluster: body.cluster ?? '?',
          error: `HTTP ${r.status} ${body.error ?? ''}`.trim().slice(0, 200),
          ...(r.headers.get('x-drkit-task') ? { task: r.headers.get('x-drkit-task')! } : {}),
          ...to,
        });
      }
    } catch (err) {
      this.stats.fails++;
      this.log({
        type: 'fail',
        seq,
        ref,
        at: new Date().toISOString(),
        cluster: '?',
        error: (err as Error).message.slice(0, 200),
        ...to,
      });
    }
  }
}
