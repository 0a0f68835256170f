import type { AwsClients } from '../adapters/aws/clients.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { LabStatusPage } from '../adapters/lab-status-page/index.js';
import { MailNotifier } from '../adapters/mail-notifier/index.js';
import { SmtpMailer } from '../adapters/smtp/index.js';
import { StatuspageStatusPage } from '../adapters/statuspage/index.js';
import { WebhookNotifier } from '../adapters/webhook-notifier/index.js';
import type { ChannelConfig, IncidentsConfig } from '../config/incidents-schema.js';
import { ConfigError } from '../engine/errors.js';
import { FileIncidentDesk } from '../incidents/incident-desk.js';
import { incidentPaths } from '../incidents/paths.js';
import type { IncidentDesk } from '../ports/incidents.js';
import type { Notifier } from '../ports/notifier.js';
import type { StatusPage } from '../ports/status-page.js';

export { incidentPaths } from '../incidents/paths.js';

/**
 * The status page of `incidents.statusPage`: the lab's own page under the state dir, or
 * Statuspage with its key from the environment (a missing key is a ConfigError naming the
 * variable), or none.
 */
export function statusPageOf(
  cfg: IncidentsConfig,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): StatusPage | undefined {
  const s = cfg.statusPage;
  if (s.type === 'none') return undefined;
  if (s.type === 'lab')
    return new LabStatusPage(incidentPaths(stateDir).statusPage, {
      name: s.name,
      components: s.components,
    });
  const apiKey = env[s.apiKeyEnv];
  if (!apiKey)
    throw new ConfigError(`incidents.statusPage is Statuspage but ${s.apiKeyEnv} is empty`, {
      hint: `export ${s.apiKeyEnv}=<a Statuspage API key> (never put it in the config file)`,
    });
  return new StatuspageStatusPage({
    apiBase: s.apiBase,
    pageId: s.pageId,
    apiKey,
    apiKeyEnv: s.apiKeyEnv,
    components: s.components,
    minIntervalMs: s.minIntervalMs,
    rateLimitAttempts: s.rateLimitAttempts,
  });
}

/** How channels reach the world: the provider's log notifier and, when it has them, AWS clients. */
export interface ChannelSources {
  readonly log: Notifier;
  readonly awsClients?: AwsClients;
  readonly env?: NodeJS.ProcessEnv;
}

/** The notifier of one configured channel for the given addresses. */
export function channelNotifier(
  name: string,
  ch: ChannelConfig,
  to: readonly string[],
  src: ChannelSources,
): Notifier {
  const env = src.env ?? process.env;
  switch (ch.type) {
    case 'log':
      return src.log;
    case 'sns':
      if (!src.awsClients)
        throw new ConfigError(`channel '${name}' is SNS, but this provider has no AWS endpoint`, {
          hint: 'run with --provider aws, or set aws.endpoint (a moto server) for the lab',
        });
      return new SnsNotifier({ clients: src.awsClients, topicArn: ch.topicArn });
    case 'email': {
      const user = ch.smtp.userEnv ? env[ch.smtp.userEnv] : undefined;
      const password = ch.smtp.passwordEnv ? env[ch.smtp.passwordEnv] : undefined;
      return new MailNotifier(
        new SmtpMailer({
          host: ch.smtp.host,
          port: ch.smtp.port,
          secure: ch.smtp.secure,
          ...(user ? { user } : {}),
          ...(password ? { password } : {}),
          label: `incidents.channels.${name}`,
        }),
        ch.from,
        to,
      );
    }
    case 'webhook': {
      const url = ch.url ?? (ch.urlEnv ? env[ch.urlEnv] : undefined);
      if (!url)
        throw new ConfigError(`channel '${name}' is a webhook but ${ch.urlEnv} is empty`, {
          hint: `export ${ch.urlEnv}=<the webhook URL>`,
        });
      return new WebhookNotifier({ url, label: `incidents.channels.${name}` });
    }
  }
}

/** The incident desk of a provider, over `<stateDir>/incidents`. */
export function incidentDeskOf(
  cfg: IncidentsConfig,
  stateDir: string,
  src: ChannelSources,
  statusPage: () => StatusPage | undefined,
): IncidentDesk {
  const page = statusPage();
  return new FileIncidentDesk({
    dir: incidentPaths(stateDir).incidents,
    matrix: cfg.matrix,
    channel: (name, to) => channelNotifier(name, cfg.channels[name]!, to, src),
    ...(page ? { statusPage: page } : {}),
  });
}
