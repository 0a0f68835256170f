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

export async function readAppConfig(secrets: Secrets): Promise<AppConfig> {
  return (await secrets.get(APP_CONFIG_SECRET)) as unknown as AppConfig;
}

export async function writeAppConfig(secrets: Secrets, cfg: AppConfig): Promise<void> {
  await secrets.put(APP_CONFIG_SECRET, cfg as unknown as Record<string, unknown>);
}
