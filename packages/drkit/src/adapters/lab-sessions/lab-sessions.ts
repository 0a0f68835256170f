import type pg from 'pg';
import { NotFoundError } from '../../engine/errors.js';
import type { AppTaskEndpoint } from '../../ports/app-tasks.js';
import type { Identity } from '../../ports/identity.js';
import type { UserPools } from '../../ports/secret-rotation.js';
import type { Secrets } from '../../ports/secrets.js';
import { readSessionEpoch, SESSIONS_SECRET } from '../../app/sessions.js';
import { waitForTasks } from '../lab-compute/task-report.js';

/** The lab app's one session store, as a "user pool". */
export const APP_SESSIONS_POOL = 'app';

/** Options of {@link LabSessions}. */
export interface LabSessionsOptions {
  readonly secrets: Secrets;
  /** An admin connection to the app's database (the one its secret names). */
  readonly appDb: () => Promise<pg.Client>;
  /** The app tasks that must apply the new epoch before the sign-out returns. */
  readonly tasks: () => Promise<ReadonlyArray<AppTaskEndpoint>>;
  /** How long every task has to confirm. @default 15000 */
  readonly confirmTimeoutMs?: number;
}

/**
 * The identity port on the lab's sample app (its sessions: app/sessions.ts). A global
 * sign-out raises the session epoch in the secrets store (so a session row brought back by a
 * restore of the database is still refused), waits until every app task applies it, then
 * deletes every session row. Returns the users signed out (distinct users with a session).
 */
export class LabSessions implements Identity, UserPools {
  readonly kind = 'lab-sessions';
  readonly capabilities = new Set(['global-sign-out'] as const);
  readonly defaultPools = [APP_SESSIONS_POOL];

  constructor(private readonly o: LabSessionsOptions) {}

  async signOutAll(
    poolId: string,
    opts: { readonly onProgress?: (done: number) => void } = {},
  ): Promise<{ signedOut: number }> {
    this.known(poolId);
    const epoch = (await readSessionEpoch(this.o.secrets)) + 1;
    await this.o.secrets.put(SESSIONS_SECRET, { epoch, signedOutAt: new Date().toISOString() });
    await waitForTasks(
      await this.o.tasks(),
      (r) => (r.sessionEpoch ?? -1) >= epoch,
      `session epoch ${epoch}`,
      this.o.confirmTimeoutMs,
    );
    const c = await this.o.appDb();
    try {
      const r = await c.query<{ n: string }>(
        `WITH d AS (DELETE FROM sessions RETURNING user_id) SELECT count(DISTINCT user_id)::text n FROM d`,
      );
      const n = Number(r.rows[0]?.n ?? 0);
      opts.onProgress?.(n);
      return { signedOut: n };
    } finally {
      await c.end();
    }
  }

  planSignOutAll(poolId: string): string[] {
    this.known(poolId);
    return [
      `secrets put ${SESSIONS_SECRET}: epoch=<current + 1> (sessions of earlier epochs are refused, even restored ones)`,
      'wait until every app task reports the new epoch on /healthz',
      'DELETE FROM sessions (every session row; distinct users counted)',
    ];
  }

  async describePool(
    poolId: string,
  ): Promise<{ poolId: string; name: string; estimatedUsers: number }> {
    this.known(poolId);
    const epoch = await readSessionEpoch(this.o.secrets);
    const c = await this.o.appDb();
    try {
      const r = await c.query<{ n: string }>(
        `SELECT count(DISTINCT user_id)::text n FROM sessions WHERE epoch = $1`,
        [epoch],
      );
      return {
        poolId,
        name: 'the sample app’s sessions',
        estimatedUsers: Number(r.rows[0]?.n ?? 0),
      };
    } finally {
      await c.end();
    }
  }

  planDescribePool(poolId: string): string[] {
    this.known(poolId);
    return [
      `read ${SESSIONS_SECRET}; SELECT count(DISTINCT user_id) FROM sessions WHERE epoch = <current>`,
    ];
  }

  private known(poolId: string): void {
    if (poolId !== APP_SESSIONS_POOL)
      throw new NotFoundError(
        `the lab has one session store, '${APP_SESSIONS_POOL}', not '${poolId}'`,
        {
          hint: `give --param userPools=${APP_SESSIONS_POOL}`,
        },
      );
  }
}
