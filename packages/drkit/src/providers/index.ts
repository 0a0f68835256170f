import type { DrkitConfig, ProviderName } from '../config/schema.js';
import { bindAws } from './aws/index.js';
import { bindLab, type LabBindOptions } from './lab/index.js';
import type { Provider } from './provider.js';

export type { Provider } from './provider.js';
export { connectRds } from './aws/index.js';

/** Options of {@link bindProvider}. */
export type BindOptions = LabBindOptions;

/** Every provider, listed explicitly: adding one is its folder plus one line here. */
const PROVIDERS: Readonly<
  Record<ProviderName, (config: DrkitConfig, baseDir: string, opts: BindOptions) => Provider>
> = {
  lab: bindLab,
  aws: (config, baseDir) => bindAws(config, baseDir),
};

/** Binds the ports of `name` from config (lazily: nothing is contacted until a port is used). */
export function bindProvider(
  name: ProviderName,
  config: DrkitConfig,
  baseDir: string,
  opts: BindOptions = {},
): Provider {
  return PROVIDERS[name](config, baseDir, opts);
}
