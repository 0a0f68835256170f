import { SmtpMailer } from '../adapters/smtp/index.js';
import { TypesenseSearchIndex } from '../adapters/typesense/index.js';
import type { DrkitConfig } from '../config/schema.js';
import type { MetricSample } from '../ports/metrics.js';
import { readAppConfig } from './app-config.js';
import type { LabProvider } from './provider.js';

const HELP =
  '1 when the provider the app uses answers its health probe (search: Typesense /health and a keyed read; email: the SMTP relay greets and takes EHLO), else 0';

/** A probe slower than this counts as down (the lab scrapes every second). */
const PROBE_TIMEOUT_MS = 2000;

/** Whether the Typesense server at `url` is healthy for a client holding `apiKey`. */
export async function searchUp(url: string, apiKey: string): Promise<boolean> {
  try {
    const h = await new TypesenseSearchIndex({
      url,
      apiKey,
      timeoutSeconds: PROBE_TIMEOUT_MS / 1000,
    }).health();
    return h.ok;
  } catch {
    return false;
  }
}

/** Whether the SMTP relay at `host:port` greets and answers EHLO. */
export async function smtpUp(host: string, port: number, secure = false): Promise<boolean> {
  try {
    await new SmtpMailer({ host, port, secure, timeoutMs: PROBE_TIMEOUT_MS }).verify();
    return true;
  } catch {
    return false;
  }
}

/**
 * `drkit_provider_up{component, target}` for the providers the lab's app uses, when it uses
 * them: search when the app config has a `search` section (`lab up --search`), email when the
 * active provider's secret (`mail.activeSecret`) names an SMTP relay. A provider the app does
 * not use has no series (absent, not down). The target label is the endpoint, never a secret.
 */
export async function providerUpSamples(
  p: LabProvider,
  config: DrkitConfig,
): Promise<MetricSample[]> {
  const out: MetricSample[] = [];
  const put = (component: string, target: string, up: boolean) =>
    out.push({
      name: 'drkit_provider_up',
      help: HELP,
      labels: { component, target },
      value: up ? 1 : 0,
    });
  const app = await readAppConfig(p.secrets).catch(() => undefined);
  if (app?.search)
    put('search', new URL(app.search.url).host, await searchUp(app.search.url, app.search.apiKey));
  const mail = await p.secrets.get(config.mail.activeSecret).catch(() => undefined);
  if (mail?.kind === 'smtp' && typeof mail.host === 'string') {
    const port = Number(mail.port);
    put('email', `${mail.host}:${port}`, await smtpUp(mail.host, port, mail.secure === true));
  }
  return out;
}
