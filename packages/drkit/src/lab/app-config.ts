import { PreconditionError } from '../engine/errors.js';
import type { Endpoint } from '../ports/database.js';
import type { Secrets } from '../ports/secrets.js';

/** The secret the application reads at run time. */
export const APP_CONFIG_SECRET = 'drkit/app';

/** What the application reads from {@link APP_CONFIG_SECRET}. */
export interface AppConfig {
  /** Cluster id the endpoint belongs to (for measurements and reports). */
  readonly dbClusterId: string;
  readonly db: Endpoint;
  /** The seed's feature flag: when true the application refuses writes. */
  readonly global_readonly: boolean;
}

/** Reads the app's runtime config. @throws NotFoundError */
export async function readAppConfig(
  secrets: Secrets,
  name = APP_CONFIG_SECRET,
): Promise<AppConfig> {
  return (await secrets.get(name)) as unknown as AppConfig;
}

/** Replaces the app's runtime config (the app picks it up without a restart). */
export async function writeAppConfig(
  secrets: Secrets,
  cfg: AppConfig,
  name = APP_CONFIG_SECRET,
): Promise<void> {
  await secrets.put(name, cfg as unknown as Record<string, unknown>);
}

/** What an app endpoint secret says, whatever its layout. */
export interface AppSecretView {
  /** The cluster it names (`dbClusterId`); undefined when the secret never named one. */
  readonly clusterId: string | undefined;
  /** Where the app connects (no password). */
  readonly endpoint: Endpoint | undefined;
  readonly globalReadonly: boolean;
}

/**
 * The layout of the secret the app reads its database from. Both layouts keep
 * `global_readonly` and `dbClusterId` at the top level; only the endpoint differs.
 */
export interface AppSecretFormat {
  readonly name: 'drkit-app' | 'rds';
  view(value: Readonly<Record<string, unknown>>): AppSecretView;
  /** `value` pointing at `clusterId`'s `endpoint`: the database name and every other field kept. */
  point(
    value: Readonly<Record<string, unknown>>,
    clusterId: string,
    endpoint: Endpoint,
  ): Record<string, unknown>;
}

/** The lab app's own layout ({@link AppConfig}: `{dbClusterId, db: {host, port, database, user}, global_readonly}`). */
export const LAB_APP_FORMAT: AppSecretFormat = {
  name: 'drkit-app',
  view(v) {
    const c = v as unknown as Partial<AppConfig>;
    const db = c.db; // only the endpoint's fields: `db` may also hold the password
    const endpoint = db && { host: db.host, port: db.port, database: db.database, user: db.user };
    return { clusterId: c.dbClusterId, endpoint, globalReadonly: c.global_readonly === true };
  },
  point(v, clusterId, endpoint) {
    const c = v as unknown as AppConfig;
    return {
      ...v,
      dbClusterId: clusterId,
      db: { ...c.db, ...endpoint, database: c.db?.database ?? endpoint.database }, // password etc. kept
    };
  },
};

/**
 * The RDS-style secret (`{engine, host, port, username, password, dbname, …}`) AWS apps read:
 * a swap changes `host` and `port` and records `dbClusterId`; `dbname`, the credentials and
 * every other field stay.
 */
export const RDS_SECRET_FORMAT: AppSecretFormat = {
  name: 'rds',
  view(v) {
    const host = typeof v.host === 'string' ? v.host : undefined;
    const port = typeof v.port === 'number' ? v.port : Number(v.port ?? 5432);
    return {
      clusterId: typeof v.dbClusterId === 'string' ? v.dbClusterId : undefined,
      endpoint: host
        ? {
            host,
            port,
            database: typeof v.dbname === 'string' ? v.dbname : 'postgres',
            user: typeof v.username === 'string' ? v.username : '',
          }
        : undefined,
      globalReadonly: v.global_readonly === true,
    };
  },
  point(v, clusterId, endpoint) {
    return { ...v, host: endpoint.host, port: endpoint.port, dbClusterId: clusterId };
  },
};

/** Reads the app's endpoint secret through its layout. @throws NotFoundError */
export async function viewApp(
  secrets: Secrets,
  name: string,
  format: AppSecretFormat = LAB_APP_FORMAT,
): Promise<AppSecretView> {
  return format.view(await secrets.get(name));
}

/** Sets `global_readonly` (both layouts), every other field kept. */
export async function setGlobalReadonly(
  secrets: Secrets,
  name: string,
  on: boolean,
): Promise<void> {
  const v = await secrets.get(name);
  await secrets.put(name, { ...v, global_readonly: on });
}

/**
 * Points the app at another cluster (the swap every recovery ends with): keeps the database
 * name and every other key, sets `global_readonly` when given. The app reconnects by itself.
 */
export async function pointAppAt(
  secrets: Secrets,
  name: string,
  clusterId: string,
  endpoint: Endpoint,
  opts: { globalReadonly?: boolean; format?: AppSecretFormat } = {},
): Promise<void> {
  const v = await secrets.get(name);
  const next = (opts.format ?? LAB_APP_FORMAT).point(v, clusterId, endpoint);
  await secrets.put(
    name,
    opts.globalReadonly === undefined ? next : { ...next, global_readonly: opts.globalReadonly },
  );
}

/**
 * Throws unless the app's secret names `clusterId` — and, when given, `host` (a step's verify
 * after {@link pointAppAt}).
 */
export async function assertAppPointsAt(
  secrets: Secrets,
  name: string,
  clusterId: string | undefined,
  what: string,
  opts: { format?: AppSecretFormat; host?: string } = {},
): Promise<void> {
  const v = await viewApp(secrets, name, opts.format);
  if (v.clusterId !== clusterId)
    throw new Error(
      `the app config names '${v.clusterId ?? 'no cluster'}', not the ${what} '${clusterId ?? '?'}'`,
    );
  if (opts.host !== undefined && v.endpoint?.host !== opts.host)
    throw new Error(
      `the app config names host ${v.endpoint?.host ?? 'none'}, not the ${what}'s ${opts.host}`,
    );
}

/**
 * Lifts `global_readonly`, but only while the app points at `clusterId`: unfreezing writes
 * onto the wrong (old, corrupted, fenced) database is the one mistake this must never make.
 * @throws PreconditionError when the app config names another cluster.
 */
export async function unfreezeApp(
  secrets: Secrets,
  name: string,
  clusterId: string | undefined,
  what: string,
  format: AppSecretFormat = LAB_APP_FORMAT,
): Promise<void> {
  const v = await viewApp(secrets, name, format);
  if (v.clusterId !== clusterId) {
    throw new PreconditionError(`refusing to unfreeze: the app does not point at the ${what} yet`, {
      hint: `it names '${v.clusterId ?? 'no cluster'}'; run the step that swaps connections first`,
    });
  }
  await setGlobalReadonly(secrets, name, false);
}
