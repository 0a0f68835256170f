import type pg from 'pg';
import { APP_LOGIN_GROUP } from '../postgres/pg-config.js';

/**
 * Creates the app's login group when missing (NOLOGIN; reads and writes every table through
 * the predefined roles), then `role` in it with LOGIN and `password` (or gives an existing
 * one LOGIN and that password). Returns true when `role` was created.
 */
export async function ensureLoginRole(
  admin: pg.Client,
  role: string,
  password: string,
): Promise<boolean> {
  const g = admin.escapeIdentifier(APP_LOGIN_GROUP);
  const exists = async (r: string) =>
    (await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [r])).rowCount === 1;
  if (!(await exists(APP_LOGIN_GROUP))) await admin.query(`CREATE ROLE ${g} NOLOGIN`);
  await admin.query(`GRANT pg_read_all_data, pg_write_all_data TO ${g}`);
  const id = admin.escapeIdentifier(role);
  const pw = admin.escapeLiteral(password);
  const created = !(await exists(role));
  if (created) await admin.query(`CREATE ROLE ${id} LOGIN PASSWORD ${pw} IN ROLE ${g}`);
  else await admin.query(`ALTER ROLE ${id} WITH LOGIN PASSWORD ${pw}`);
  return created;
}

/** The app's login roles (members of the group) that can log in; with `all`, every member. */
export async function loginRoles(admin: pg.Client, all: boolean): Promise<string[]> {
  const r = await admin.query<{ rolname: string }>(
    `SELECT m.rolname FROM pg_roles m
       JOIN pg_auth_members a ON a.member = m.oid
       JOIN pg_roles g ON g.oid = a.roleid AND g.rolname = $1
      WHERE $2 OR m.rolcanlogin
      ORDER BY m.rolname`,
    [APP_LOGIN_GROUP, all],
  );
  return r.rows.map((x) => x.rolname);
}

/** Ends every session of `role` (a revoked credential keeps no connection). Returns how many. */
export async function endOthers(admin: pg.Client, role: string): Promise<number> {
  const r = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`,
    [role],
  );
  return r.rowCount ?? 0;
}
