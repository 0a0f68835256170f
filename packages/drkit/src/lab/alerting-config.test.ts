import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAlertmanagerConfig, renderPrometheusConfig } from './alerting-config.js';

describe('renderPrometheusConfig', () => {
  const base = {
    intervalSeconds: 1,
    rulesFile: '/repo/ops/prometheus/rules.yml',
    alertmanagerPort: 9093,
    drkitPort: 9464,
  };

  it('GIVEN the lab interval WHEN rendered THEN rules, Alertmanager and both scrape jobs are in, drkit given twice the interval', () => {
    const doc = parse(renderPrometheusConfig({ ...base, haproxyPort: 8405 })) as Record<
      string,
      unknown
    >;
    expect(doc).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ['/repo/ops/prometheus/rules.yml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] },
      scrape_configs: [
        {
          job_name: 'drkit',
          scrape_interval: '2s',
          scrape_timeout: '2s',
          static_configs: [{ targets: ['127.0.0.1:9464'] }],
        },
        { job_name: 'haproxy', static_configs: [{ targets: ['127.0.0.1:8405'] }] },
      ],
    });
  });

  it('GIVEN no HAProxy exporter WHEN rendered THEN only drkit is scraped', () => {
    const doc = parse(renderPrometheusConfig(base)) as { scrape_configs: { job_name: string }[] };
    expect(doc.scrape_configs.map((j) => j.job_name)).toEqual(['drkit']);
  });
});

describe('renderAlertmanagerConfig', () => {
  it('routes every alert to the webhook at once, resolved ones too', () => {
    const doc = parse(renderAlertmanagerConfig({ webhookUrl: 'http://127.0.0.1:1/alerts' })) as {
      route: Record<string, unknown>;
      receivers: unknown[];
    };
    expect(doc.route).toMatchObject({ receiver: 'drkit', group_wait: '0s' });
    expect(doc.receivers).toEqual([
      {
        name: 'drkit',
        webhook_configs: [{ url: 'http://127.0.0.1:1/alerts', send_resolved: true }],
      },
    ]);
  });
});
