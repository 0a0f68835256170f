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
export async function readAppConfig(secrets: Secrets, name = APP_CONFIG_SECRET): Promise<AppConfig> {
  return (await secrets.get(name)) as unknown as AppConfig;
}

/** Replaces the app's runtime config (the app picks it up without a restart). */
export async function writeAppConfig(secrets: Secrets, cfg: AppConfig, name = APP_CONFIG_SECRET): Promise<void> {
  await secrets.put(name, cfg as unknown as Record<string, unknown>);
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
  opts: { globalReadonly?: boolean } = {},
): Promise<void> {
  const cfg = await readAppConfig(secrets, name);
  await writeAppConfig(
    secrets,
    { ...cfg, dbClusterId: clusterId, db: { ...endpoint, database: cfg.db.database }, global_readonly: opts.globalReadonly ?? cfg.global_readonly },
    name,
  );
}

/** Throws unless the app config names `clusterId` (a step's verify after {@link pointAppAt}). */
export async function assertAppPointsAt(secrets: Secrets, name: string, clusterId: string | undefined, what: string): Promise<void> {
  const cfg = await readAppConfig(secrets, name);
  if (cfg.dbClusterId !== clusterId) throw new Error(`the app config names '${cfg.dbClusterId}', not the ${what} '${clusterId ?? '?'}'`);
}

/**
 * Lifts `global_readonly`, but only while the app points at `clusterId`: unfreezing writes
 * onto the wrong (old, corrupted, fenced) database is the one mistake this must never make.
 * @throws PreconditionError when the app config names another cluster.
 */
export async function unfreezeApp(secrets: Secrets, name: string, clusterId: string | undefined, what: string): Promise<void> {
  const cfg = await readAppConfig(secrets, name);
  if (cfg.dbClusterId !== clusterId) {
    throw new PreconditionError(`refusing to unfreeze: the app does not point at the ${what} yet`, {
      hint: `it names '${cfg.dbClusterId}'; run the step that swaps connections first`,
    });
  }
  await writeAppConfig(secrets, { ...cfg, global_readonly: false }, name);
}
