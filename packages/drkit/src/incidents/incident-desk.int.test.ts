import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabStatusPage } from '../adapters/lab-status-page/index.js';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import { parseConfig } from '../config/load.js';
import { UsageError } from '../engine/errors.js';
import { startMailpit, type MailpitServer } from '../lab/mailpit-server.js';
import type { Incident } from '../ports/incidents.js';
import { incidentDeskOf } from '../providers/incidents.js';
import { startWebhookSink } from '../testing/webhook-sink.js';
import { sleep } from '../util/net.js';
import { startEscalationWatch } from './escalation-watch.js';

/**
 * The incident desk against real channels: a Slack-compatible webhook (a real HTTP server
 * recording each POST), email through the SMTP mailer into mailpit, and the lab's status page
 * file. Response times are seconds so escalation can be watched happen.
 */
let sink: Awaited<ReturnType<typeof startWebhookSink>>;
let mailpit: MailpitServer;
let dir: string;

beforeAll(async () => {
  sink = await startWebhookSink();
  mailpit = await startMailpit();
  dir = mkdtempSync(path.join(tmpdir(), 'drkit-incidents-'));
}, 60_000);
afterAll(async () => {
  await sink?.close();
  await mailpit?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const RESPONSE_S = 1.5;

function deskIn(sub: string) {
  const config = parseConfig({
    incidents: {
      channels: {
        slack: { type: 'webhook', url: sink.url },
        email: {
          type: 'email',
          from: 'drkit@lab.test',
          smtp: { host: mailpit.host, port: mailpit.smtpPort },
        },
        log: { type: 'log' },
      },
      matrix: {
        SEV1: {
          response: `${RESPONSE_S}s`,
          notify: [
            { who: 'Eng Lead', channel: 'slack' },
            { who: 'CTO', channel: 'email', to: ['cto@lab.test'] },
          ],
          statusPage: true,
        },
        SEV2: {
          response: `${RESPONSE_S}s`,
          notify: [{ who: 'Eng Lead', channel: 'slack' }],
          statusPage: true,
          componentStatus: 'partial_outage',
        },
        SEV3: { response: '2h', notify: [{ who: 'On-call team', channel: 'log' }] },
      },
      watchIntervalMs: 100,
    },
  });
  const stateDir = path.join(dir, sub);
  const page = new LabStatusPage(path.join(stateDir, 'status-page'), {
    name: 't',
    components: ['api', 'database'],
  });
  const desk = incidentDeskOf(
    config.incidents,
    stateDir,
    { log: new LogNotifier(path.join(stateDir, 'notifications.jsonl')) },
    () => page,
  );
  return { desk, page };
}

const types = (i: Incident) => i.timeline.map((e) => e.type);
const sinkTexts = () => sink.received.map((r) => (r.body as { text: string }).text);

describe('incident desk (webhook sink, mailpit, lab status page)', () => {
  it(`GIVEN a SEV2 nobody acknowledges WHEN the watch runs THEN it escalates to SEV1 at ${RESPONSE_S}s: CTO mailed, Slack told, timeline complete`, async () => {
    const { desk, page } = deskIn('unacked');
    const before = sink.received.length;
    const inc = await desk.open({
      key: 'exec-unacked',
      title: 'orders API down',
      severity: 'SEV2',
      body: 'API 5xx',
      components: ['api'],
      drill: true,
    });
    const openedAt = Date.parse(inc.openedAt);
    expect(inc.level).toBe('SEV2');
    expect(sink.received.length).toBe(before + 1);
    expect(page.summary().status.indicator).toBe('major'); // partial_outage
    const watch = startEscalationWatch(desk, 100);
    try {
      // not before the response time
      await sleep(RESPONSE_S * 1000 - 400);
      expect(desk.get(inc.id).level).toBe('SEV2');
      for (let i = 0; i < 40 && desk.get(inc.id).level !== 'SEV1'; i++) await sleep(50);
    } finally {
      await watch.stop();
    }
    const after = desk.get(inc.id);
    expect(after.level).toBe('SEV1');
    const esc = after.timeline.find((e) => e.type === 'escalated')!;
    const lateBy = Date.parse(esc.at) - openedAt - RESPONSE_S * 1000;
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(600); // within the 100 ms watch interval plus load
    expect(esc.note).toMatch(/not acknowledged within 1.5s: SEV2 → SEV1/);
    expect(types(after)).toEqual([
      'opened',
      'notified',
      'status-page',
      'escalated',
      'notified',
      'notified',
    ]);
    expect(
      after.timeline.filter((e) => e.type === 'notified').map((e) => `${e.who}@${e.channel}`),
    ).toEqual(['Eng Lead@slack', 'Eng Lead@slack', 'CTO@email']);
    expect(sinkTexts().slice(before)).toEqual([
      `*[SEV2] orders API down (${inc.id})*`,
      `*ESCALATED [SEV1] orders API down (${inc.id})*`,
    ]);
    const mails = await mailpit.messages();
    expect(
      mails.some(
        (m) =>
          m.Subject === `ESCALATED [SEV1] orders API down (${inc.id})` &&
          m.To[0]?.Address === 'cto@lab.test',
      ),
    ).toBe(true);
    // the page: one incident, opened without notifying subscribers (a drill)
    const s = page.summary();
    expect(s.incidents).toHaveLength(1);
    expect(
      (s.incidents[0]!.incident_updates as Array<{ deliver_notifications: boolean }>)[0]!
        .deliver_notifications,
    ).toBe(false);
  }, 30_000);

  it('GIVEN a SEV2 acknowledged before its response time WHEN the watch runs past it THEN nothing escalates', async () => {
    const { desk } = deskIn('acked');
    const inc = await desk.open({
      key: 'exec-acked',
      title: 'db slow',
      severity: 'SEV2',
      body: 'p99 up',
    });
    const watch = startEscalationWatch(desk, 100);
    try {
      await sleep(500);
      await desk.acknowledge(inc.id, 'alice');
      await sleep(RESPONSE_S * 1000 + 600);
    } finally {
      await watch.stop();
    }
    const after = desk.get(inc.id);
    expect(after.level).toBe('SEV2');
    expect(after.acknowledgedBy).toBe('alice');
    expect(types(after)).not.toContain('escalated');
    expect(after.escalatesAt).toBeUndefined();
  }, 30_000);

  it('GIVEN two desks (two processes) on one state dir WHEN both evaluate a due incident at once THEN it escalates once', async () => {
    const a = deskIn('shared').desk;
    const b = deskIn('shared').desk;
    const inc = await a.open({ key: 'exec-shared', title: 'x', severity: 'SEV2', body: 'y' });
    await sleep(RESPONSE_S * 1000 + 50);
    const [ra, rb] = await Promise.all([a.escalateDue(), b.escalateDue()]);
    expect(ra.length + rb.length).toBe(1);
    expect(types(a.get(inc.id)).filter((t) => t === 'escalated')).toHaveLength(1);
  }, 30_000);

  it('GIVEN the same key twice (a resumed run) WHEN opened again THEN the same incident: nobody paged twice, one page incident', async () => {
    const { desk, page } = deskIn('resume');
    const before = sink.received.length;
    const one = await desk.open({
      key: 'exec-resume',
      title: 'r',
      severity: 'SEV1',
      body: 'b',
      components: ['api'],
    });
    const two = await desk.open({
      key: 'exec-resume',
      title: 'r',
      severity: 'SEV1',
      body: 'b',
      components: ['api'],
    });
    expect(two.id).toBe(one.id);
    expect(sink.received.length).toBe(before + 1);
    expect(page.read().incidents).toHaveLength(1);
    await desk.resolve(one.id, { body: 'fixed', by: 'bob' });
    expect(page.summary().status.indicator).toBe('none');
    expect(page.summary().incidents).toHaveLength(0);
    expect(types(desk.get(one.id)).slice(-4)).toEqual([
      'resolved',
      'status-page',
      'notified',
      'notified',
    ]);
  }, 30_000);

  it('GIVEN a webhook that refuses WHEN opened THEN the failure is in the timeline and the other channel still notified', async () => {
    const { desk } = deskIn('refused');
    sink.setStatus(404);
    try {
      const inc = await desk.open({ key: 'exec-refused', title: 'z', severity: 'SEV1', body: 'b' });
      const failed = inc.timeline.find((e) => e.type === 'notify-failed')!;
      expect(failed).toMatchObject({ who: 'Eng Lead', channel: 'slack' });
      expect(failed.note).toMatch(/answered 404/);
      expect(failed.note).not.toContain('/hooks/'); // the URL's secret path is never shown
      expect(inc.timeline.some((e) => e.type === 'notified' && e.who === 'CTO')).toBe(true);
    } finally {
      sink.setStatus(200);
    }
  });

  it('GIVEN an unknown severity WHEN opened THEN a UsageError names the matrix rows', async () => {
    const { desk } = deskIn('bad');
    await expect(desk.open({ key: 'k', title: 't', severity: 'SEV9', body: 'b' })).rejects.toThrow(
      UsageError,
    );
    await expect(desk.open({ key: 'k', title: 't', severity: 'SEV9', body: 'b' })).rejects.toThrow(
      "unknown severity 'SEV9': the escalation matrix has SEV1, SEV2, SEV3",
    );
  });

  it('GIVEN a matrix naming a channel that is not configured WHEN the config is parsed THEN it is refused, naming key and channels', () => {
    expect(() =>
      parseConfig({
        incidents: {
          channels: { log: { type: 'log' } },
          matrix: { SEV1: { response: '15m', notify: [{ who: 'CTO', channel: 'pager' }] } },
        },
      }),
    ).toThrow(
      /incidents\.matrix\.SEV1\.notify\.0\.channel.*'pager' is not a configured channel \(configured: log\)/s,
    );
  });
});
