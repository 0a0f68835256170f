import { stringify } from 'yaml';

/** Everything the lab's prometheus.yml is rendered from. */
export interface PrometheusSettings {
  /** Scrape and rule evaluation interval in seconds (the lab: 1). */
  readonly intervalSeconds: number;
  /** Absolute path of the alert rules file. */
  readonly rulesFile: string;
  /** Alertmanager's port on 127.0.0.1. */
  readonly alertmanagerPort: number;
  /** drkit's metrics endpoint (the alert receiver serves `/metrics`) on 127.0.0.1. */
  readonly drkitPort: number;
  /** HAProxy's exporter port (the front door's stats frontend). @default none (not scraped) */
  readonly haproxyPort?: number;
}

/** The scrape job of drkit's metrics: the `DrkitMetricsDown` rule names it. */
export const DRKIT_JOB = 'drkit';

/**
 * Renders prometheus.yml: one global interval for scrapes and rule evaluation, the rules file,
 * Alertmanager as the one notification target, and the scrape jobs `drkit` and `haproxy`.
 * drkit's scrape runs `pgbackrest info` and a few queries per primary: it is given up to
 * twice the interval (at least 2 s) so a busy machine does not turn it into a gap.
 */
export function renderPrometheusConfig(s: PrometheusSettings): string {
  const every = `${s.intervalSeconds}s`;
  const drkitEvery = `${Math.max(2, 2 * s.intervalSeconds)}s`;
  const target = (port: number) => [{ targets: [`127.0.0.1:${port}`] }];
  const doc = {
    global: { scrape_interval: every, scrape_timeout: every, evaluation_interval: every },
    rule_files: [s.rulesFile],
    alerting: { alertmanagers: [{ static_configs: target(s.alertmanagerPort) }] },
    scrape_configs: [
      {
        job_name: DRKIT_JOB,
        scrape_interval: drkitEvery,
        scrape_timeout: drkitEvery,
        static_configs: target(s.drkitPort),
      },
      ...(s.haproxyPort ? [{ job_name: 'haproxy', static_configs: target(s.haproxyPort) }] : []),
    ],
  };
  return `# Written by drkit (the lab's Prometheus); rewritten on every \`drkit lab up --alerting\`.\n${stringify(doc)}`;
}

/** Everything the lab's alertmanager.yml is rendered from. */
export interface AlertmanagerSettings {
  /** The webhook receiver's URL (drkit's alert receiver, `/alerts`). */
  readonly webhookUrl: string;
}

/**
 * Renders alertmanager.yml: every alert to drkit's webhook receiver, resolved ones too, grouped
 * per alert name and cluster, sent at once (no group wait: the lab measures detection) and
 * repeated hourly while it fires.
 */
export function renderAlertmanagerConfig(s: AlertmanagerSettings): string {
  const doc = {
    route: {
      receiver: 'drkit',
      group_by: ['alertname', 'cluster'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'drkit', webhook_configs: [{ url: s.webhookUrl, send_resolved: true }] }],
  };
  return `# Written by drkit (the lab's Alertmanager); rewritten on every \`drkit lab up --alerting\`.\n${stringify(doc)}`;
}
