import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import type { Notification, Notifier } from '../ports/notifier.js';
import { parseWebhook, readReceivedAlerts, startAlertReceiver } from './alert-receiver.js';

/** A delivery as Alertmanager 0.25 posts it (payload version 4). */
const delivery = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="PrimaryDown", cluster="region-a"}',
  truncatedAlerts: 0,
  status,
  receiver: 'drkit',
  groupLabels: { alertname: 'PrimaryDown', cluster: 'region-a' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status,
      labels: { alertname: 'PrimaryDown', cluster: 'region-a', severity: 'critical' },
      annotations: { summary: 'primary database region-a is down', description: 'run RB-N-01' },
      startsAt: '2026-12-02T01:44:34.338Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-12-02T01:45:38.338Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: 'df451768cef67e1d',
    },
  ],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'drkit-alert-receiver-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const post = (url: string, body: string) =>
  fetch(`${url}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('startAlertReceiver', () => {
  it('GIVEN a firing then a resolved delivery WHEN posted THEN each alert is recorded with startsAt and the receive time, and the notifier is told', async () => {
    const alertsFile = path.join(dir, 'alerts.jsonl');
    const pages = path.join(dir, 'pages.jsonl');
    const at = new Date('2026-12-02T01:44:34.400Z');
    const r = await startAlertReceiver({
      alertsFile,
      notifier: new LogNotifier(pages),
      now: () => at,
    });
    try {
      expect((await post(r.url, JSON.stringify(delivery('firing')))).status).toBe(200);
      expect((await post(r.url, JSON.stringify(delivery('resolved')))).status).toBe(200);
    } finally {
      await r.close();
    }
    const got = readReceivedAlerts(alertsFile);
    expect(got.map((a) => [a.alertname, a.status, a.startsAt, a.receivedAt, a.endsAt])).toEqual([
      ['PrimaryDown', 'firing', '2026-12-02T01:44:34.338Z', '2026-12-02T01:44:34.400Z', undefined],
      [
        'PrimaryDown',
        'resolved',
        '2026-12-02T01:44:34.338Z',
        '2026-12-02T01:44:34.400Z',
        '2026-12-02T01:45:38.338Z',
      ],
    ]);
    const sent = readFileSync(pages, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Notification);
    expect(sent.map((n) => [n.severity, n.subject])).toEqual([
      ['critical', '[FIRING] PrimaryDown: primary database region-a is down'],
      ['info', '[RESOLVED] PrimaryDown: primary database region-a is down'],
    ]);
    expect(sent[0]!.body).toContain('run RB-N-01');
  });

  it('GIVEN a body that is no webhook payload WHEN posted THEN 400 with the reason, nothing recorded', async () => {
    const alertsFile = path.join(dir, 'alerts.jsonl');
    const r = await startAlertReceiver({
      alertsFile,
      notifier: new LogNotifier(path.join(dir, 'p')),
    });
    try {
      const bad = await post(r.url, JSON.stringify({ version: '3', alerts: [] }));
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('version "4"');
      expect((await post(r.url, '{not json')).status).toBe(400);
    } finally {
      await r.close();
    }
    expect(readReceivedAlerts(alertsFile)).toEqual([]);
  });

  it('GIVEN a failing notifier WHEN an alert arrives THEN 500, so Alertmanager retries', async () => {
    const failing: Notifier = {
      kind: 'failing',
      notify: () => Promise.reject(new Error('pager unreachable')),
      planNotify: () => [],
    };
    const r = await startAlertReceiver({
      alertsFile: path.join(dir, 'a.jsonl'),
      notifier: failing,
    });
    try {
      const res = await post(r.url, JSON.stringify(delivery('firing')));
      expect(res.status).toBe(500);
      expect(await res.text()).toContain('pager unreachable');
    } finally {
      await r.close();
    }
  });

  it('GIVEN a metrics source WHEN /metrics is scraped THEN its text and content type are served', async () => {
    const r = await startAlertReceiver({
      alertsFile: path.join(dir, 'a.jsonl'),
      notifier: new LogNotifier(path.join(dir, 'p')),
      metrics: async () => ({
        text: 'drkit_primary_up{cluster="a"} 1\n',
        contentType: 'text/plain; version=0.0.4',
      }),
    });
    try {
      const res = await fetch(`${r.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4');
      expect(await res.text()).toBe('drkit_primary_up{cluster="a"} 1\n');
    } finally {
      await r.close();
    }
  });
});

describe('parseWebhook', () => {
  it('names the alert that lacks startsAt', () => {
    const d = delivery('firing');
    const alerts = [d.alerts[0], { ...d.alerts[0], startsAt: undefined }];
    expect(() => parseWebhook({ ...d, alerts })).toThrow(
      'alerts[1]: needs status firing|resolved, labels and startsAt',
    );
  });
});
