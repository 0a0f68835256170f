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
