import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NotFoundError, PreconditionError } from '../../engine/errors.js';
import type { AppTaskEndpoint } from '../../ports/app-tasks.js';
import type { Endpoint } from '../../ports/database.js';
import type { CredentialsEnforced, DbCredentials } from '../../ports/db-credentials.js';
import type {
  RotateOptions,
  SecretRotation,
  SecretRotationInfo,
} from '../../ports/secret-rotation.js';
import type { Secrets } from '../../ports/secrets.js';
import { waitForTasks, type TaskConfirmation } from '../lab-compute/task-report.js';
import { APP_LOGIN_GROUP } from '../postgres/pg-config.js';
import { endOthers, ensureLoginRole, loginRoles } from './roles-sql.js';

/** The app's own login roles: `drkit_app_<n>`, members of {@link APP_LOGIN_GROUP}. */
export const APP_ROLE = /^drkit_app_(\d+)$/;

/** Options of {@link PgRoleRotation}. */
export interface PgRoleRotationOptions {
  readonly secrets: Secrets;
  /** The app's config secret (`{dbClusterId, db: {host, port, database, user, password}, …}`). */
  readonly appSecretName: string;
  /** An admin connection (the cluster's superuser) to an endpoint. */
  readonly admin: (ep: Endpoint) => Promise<pg.Client>;
  /** The app tasks that must confirm the new credential before the old one is revoked. */
  readonly tasks: () => Promise<ReadonlyArray<AppTaskEndpoint>>;
  /** How long every task has to confirm. @default 15000 */
  readonly confirmTimeoutMs?: number;
}

/** The rotation's own record, beside the app secret (`<app secret>-rotation`). */
interface RotationRecord {
  current: string;
  previous?: string;
  /** Started, not finished: the role and its password (the secret store is where it lives). */
  pending?: { role: string; password: string; startedAt: string };
  lastRotatedAt?: string;
  /** Every revocation this rotation made, once each. */
  revoked: Array<{ role: string; at: string; sessionsEnded: number }>;
  confirmations?: TaskConfirmation[];
}

/**
 * Secret rotation on the lab, the "alternating users" way: a NEW login role with a new
 * password (`drkit_app_<n+1>`), tested, then written into the app's secret; the app tasks
 * re-read it (every 200 ms) and swap their pools; only when every task reports the new role on
 * `/healthz` with no pool of the old one still draining is the old role revoked (NOLOGIN, its
 * sessions ended) — so no write fails for the rotation. The rotation is in-process: its
 * progress is a record in the secrets store, so {@link finishRotation} completes one whose
 * caller was killed, and a revocation is never made twice (only roles that can still log in
 * are revoked). Also the {@link DbCredentials} port: after a restore to before a rotation the
 * restored cluster gets the current role back and loses the revoked ones again.
 */
export class PgRoleRotation implements SecretRotation, DbCredentials {
  readonly kind = 'postgres-login-roles';

  constructor(private readonly o: PgRoleRotationOptions) {}

  get defaultSecrets(): readonly string[] {
    return [this.o.appSecretName];
  }

  private get recordName(): string {
    return `${this.o.appSecretName}-rotation`;
  }

  async describeRotation(name: string): Promise<SecretRotationInfo> {
    this.known(name);
    const rec = await this.record();
    if (!APP_ROLE.test(rec.current))
      throw new PreconditionError(
        `the app logs in as '${rec.current}', not as a login role of its own (drkit_app_<n>): a rotation could not revoke it`,
        {
          hint: 'give the app its own role first (`drkit drill breach` does: PgRoleRotation.adopt), then rotate',
        },
      );
    return {
      name,
      lambdaArn: undefined,
      owningService: 'drkit-lab',
      stages: {
        AWSCURRENT: [rec.current],
        ...(rec.pending ? { AWSPENDING: [rec.pending.role] } : {}),
        ...(rec.previous ? { AWSPREVIOUS: [rec.previous] } : {}),
      },
      lastRotatedAt: rec.lastRotatedAt,
    };
  }

  planDescribeRotation(name: string): string[] {
    this.known(name);
    return [`read secrets ${this.o.appSecretName} and ${this.recordName} (role names only)`];
  }

  planRotate(name: string, _opts: RotateOptions): string[] {
    this.known(name);
    return [
      `record pending role drkit_app_<n+1> with a new password in ${this.recordName}`,
      `CREATE ROLE drkit_app_<n+1> LOGIN PASSWORD '<new>' IN ROLE ${APP_LOGIN_GROUP}; log in with it (SELECT 1)`,
      `secrets put ${this.o.appSecretName}: db.user=drkit_app_<n+1>, db.password=<new> (other fields kept)`,
      'wait until every app task reports db user drkit_app_<n+1> and no old pool draining on /healthz',
      `ALTER ROLE <every other ${APP_LOGIN_GROUP} login role> NOLOGIN; pg_terminate_backend(<their sessions>)`,
    ];
  }

  async rotate(name: string, opts: RotateOptions): Promise<{ versionId: string }> {
    this.known(name);
    const say = opts.onProgress ?? (() => undefined);
    const rec = await this.record();
    // one rotation at a time: an unfinished one is finished, not replaced
    if (rec.pending) return await this.finishRotation(name, opts);
    const ep = await this.endpoint();
    const admin = await this.o.admin(ep);
    let n: number;
    try {
      const taken = (await loginRoles(admin, true)).map((r) => Number(APP_ROLE.exec(r)?.[1] ?? 0));
      n = Math.max(0, Number(APP_ROLE.exec(rec.current)?.[1] ?? 0), ...taken) + 1;
    } finally {
      await admin.end();
    }
    const role = `drkit_app_${n}`;
    const password = randomBytes(24).toString('base64url');
    await this.putRecord({
      ...rec,
      pending: { role, password, startedAt: new Date().toISOString() },
    });
    say(`rotation ${name}: pending ${role} recorded`);
    return await this.finishRotation(name, opts);
  }

  async finishRotation(
    name: string,
    opts: Pick<RotateOptions, 'onProgress'> = {},
  ): Promise<{ versionId: string }> {
    this.known(name);
    const say = opts.onProgress ?? (() => undefined);
    const rec = await this.record();
    if (!rec.pending) return { versionId: rec.current };
    const { role, password } = rec.pending;
    const ep = await this.endpoint();
    await this.introduce(ep, role, password, (m) => say(`rotation ${name}: ${m}`));
    const confirmations = await waitForTasks(
      await this.o.tasks(),
      (r) => r.dbUser === role && r.oldPoolsDraining === 0,
      `the credential ${role}`,
      this.o.confirmTimeoutMs,
    );
    say(`rotation ${name}: ${confirmations.length} app task(s) confirmed ${role}`);
    const revoked = await this.revokeOthers(ep, role);
    await this.putRecord({
      current: role,
      previous: rec.current,
      lastRotatedAt: new Date().toISOString(),
      revoked: [...rec.revoked, ...revoked],
      confirmations,
    });
    say(
      `rotation ${name}: revoked ${revoked.map((r) => `${r.role} (${r.sessionsEnded} sessions ended)`).join(', ') || 'nothing left to revoke'}`,
    );
    return { versionId: role };
  }

  /**
   * Creates (or re-passwords) the login role, proves it can log in, then writes it into the app
   * secret: the part a rotation and an adoption share, before the tasks confirm.
   */
  private async introduce(
    ep: Endpoint,
    role: string,
    password: string,
    say: (m: string) => void = () => undefined,
  ): Promise<void> {
    const admin = await this.o.admin(ep);
    try {
      await ensureLoginRole(admin, role, password);
    } finally {
      await admin.end();
    }
    await testLogin({ ...ep, user: role }, password);
    say(`${role} created and tested`);
    await this.pointApp(role, password);
    say(`app pointed at ${role}`);
  }

  /**
   * Gives an app that logs in as the cluster's superuser its own login role (`drkit_app_1`),
   * the way a production app runs: created, tested, written into the app secret, confirmed by
   * every task. Nothing is revoked (the superuser is the admin). No-op when it has one.
   */
  async adopt(): Promise<string> {
    const rec = await this.record();
    if (APP_ROLE.test(rec.current)) return rec.current;
    const role = 'drkit_app_1';
    const password = randomBytes(24).toString('base64url');
    await this.introduce(await this.endpoint(), role, password);
    await waitForTasks(await this.o.tasks(), (r) => r.dbUser === role, `the credential ${role}`);
    await this.putRecord({ current: role, revoked: [], lastRotatedAt: new Date().toISOString() });
    return role;
  }

  /** The revocations made so far (role names and times), for tests and evidence. */
  async revocations(): Promise<ReadonlyArray<{ role: string; at: string; sessionsEnded: number }>> {
    return (await this.record()).revoked;
  }

  async enforce(endpoint: Endpoint): Promise<CredentialsEnforced> {
    const db = await this.appDb();
    if (!APP_ROLE.test(db.user) || !db.password)
      return { current: undefined, created: false, revoked: [] };
    const admin = await this.o.admin(endpoint);
    let created: boolean;
    try {
      created = await ensureLoginRole(admin, db.user, db.password);
    } finally {
      await admin.end();
    }
    const revoked = await this.revokeOthers(endpoint, db.user);
    return { current: db.user, created, revoked: revoked.map((r) => r.role) };
  }

  planEnforce(endpoint: Endpoint): string[] {
    return [
      `on ${endpoint.port ? `${endpoint.host}:${endpoint.port}` : endpoint.host}: CREATE ROLE <the app secret's db.user> LOGIN PASSWORD '<its password>' IN ROLE ${APP_LOGIN_GROUP} when missing (else ALTER ROLE … LOGIN PASSWORD)`,
      `ALTER ROLE <every other ${APP_LOGIN_GROUP} login role> NOLOGIN; pg_terminate_backend(<their sessions>)`,
    ];
  }

  private async revokeOthers(
    ep: Endpoint,
    keep: string,
  ): Promise<Array<{ role: string; at: string; sessionsEnded: number }>> {
    const admin = await this.o.admin(ep);
    try {
      // only roles that can still log in: one revoked before (by a killed attempt) is not again
      const open = (await loginRoles(admin, false)).filter((r) => r !== keep);
      const out = [];
      for (const role of open) {
        await admin.query(`ALTER ROLE ${admin.escapeIdentifier(role)} NOLOGIN`);
        out.push({
          role,
          at: new Date().toISOString(),
          sessionsEnded: await endOthers(admin, role),
        });
      }
      return out;
    } finally {
      await admin.end();
    }
  }

  private async pointApp(role: string, password: string): Promise<void> {
    const v = await this.o.secrets.get(this.o.appSecretName);
    const db = (v.db ?? {}) as Record<string, unknown>;
    await this.o.secrets.put(this.o.appSecretName, { ...v, db: { ...db, user: role, password } });
  }

  private async appDb(): Promise<Endpoint & { password?: string }> {
    const v = await this.o.secrets.get(this.o.appSecretName);
    const db = v.db as (Endpoint & { password?: string }) | undefined;
    if (!db?.host)
      throw new PreconditionError(`${this.o.appSecretName} names no database endpoint`);
    return db;
  }

  private async endpoint(): Promise<Endpoint> {
    const db = await this.appDb();
    return { host: db.host, port: db.port, database: db.database, user: db.user };
  }

  private async record(): Promise<RotationRecord> {
    try {
      return (await this.o.secrets.get(this.recordName)) as unknown as RotationRecord;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return { current: (await this.appDb()).user, revoked: [] };
    }
  }

  private async putRecord(r: RotationRecord): Promise<void> {
    await this.o.secrets.put(this.recordName, r as unknown as Record<string, unknown>);
  }

  private known(name: string): void {
    if (name !== this.o.appSecretName)
      throw new NotFoundError(
        `the lab rotates one secret, ${this.o.appSecretName}, not '${name}'`,
        {
          hint: `give --param rotateSecrets=${this.o.appSecretName}`,
        },
      );
  }
}

/** Logs in with a credential (SELECT 1). @throws PreconditionError when refused */
async function testLogin(ep: Endpoint, password: string): Promise<void> {
  const c = new pg.Client({ ...ep, password, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (err) {
    throw new PreconditionError(
      `the new credential ${ep.user} cannot log in: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}
