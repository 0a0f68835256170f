import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import { parseConfig } from '../config/load.js';
import { incidentDeskOf, statusPageOf } from '../providers/incidents.js';
import { judge } from '../report/drill-report.js';
import { renderMarkdown } from '../report/markdown.js';
import { sleep } from '../util/net.js';
import { drillIncident } from './drill-incident.js';

const dir = mkdtempSync(path.join(tmpdir(), 'drkit-drill-incident-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drill report: the incident and the status page', () => {
  it('GIVEN a declared SEV2 that escalated, then was acknowledged WHEN the drill report is made THEN its timeline, escalation count, ack time and the lab page are in it', async () => {
    const config = parseConfig({
      stateDir: dir,
      incidents: {
        matrix: {
          SEV1: { response: '15m', notify: [{ who: 'CTO', channel: 'log' }], statusPage: true },
          SEV2: {
            response: '0.2s',
            notify: [{ who: 'Eng Lead', channel: 'log' }],
            statusPage: true,
            componentStatus: 'partial_outage',
          },
        },
      },
    });
    const desk = incidentDeskOf(
      config.incidents,
      dir,
      { log: new LogNotifier(path.join(dir, 'notifications.jsonl')) },
      () => statusPageOf(config.incidents, dir),
    );
    const inc = await desk.open({
      key: 'exec-1',
      title: 'db restore',
      severity: 'SEV2',
      body: 'b',
      components: ['database'],
      drill: true,
    });
    await sleep(250);
    await desk.escalateDue();
    await desk.acknowledge(inc.id, 'alice');
    const di = drillIncident(config, dir, 'exec-1')!;
    expect(di).toMatchObject({
      id: inc.id,
      severity: 'SEV2',
      level: 'SEV1',
      escalations: 1,
      acknowledgedBy: 'alice',
    });
    expect(di.secondsToAcknowledge).toBeGreaterThanOrEqual(0.2);
    expect(di.statusPage).toMatchObject({
      kind: 'lab-status-page',
      indicator: 'major',
      description: 'Partial System Outage',
    });
    expect(di.statusPage?.components).toContainEqual({
      name: 'database',
      status: 'partial_outage',
    });
    expect(drillIncident(config, dir, 'another-exec')).toBeUndefined();

    const targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 };
    const achieved = { rtoSeconds: 1, rpoSeconds: 0, lostWrites: 0, acknowledgedWrites: 1 };
    const md = renderMarkdown(
      {
        scenario: 'pitr',
        drillId: 'd',
        title: 't',
        startedAt: inc.openedAt,
        endedAt: inc.openedAt,
        outcome: 'passed',
        targets,
        achieved,
        ...judge(targets, achieved),
        events: [],
        spans: [],
        facts: {},
        followUps: [],
        incident: di,
      },
      'x.svg',
    );
    expect(md).toContain('## Incident and communication');
    expect(md).toContain(`declared SEV2, reached SEV1`);
    expect(md).toMatch(/\| escalated \|  \| SEV1 \| not acknowledged within 0\.2s: SEV2 → SEV1 \|/);
    expect(md).toMatch(/\| acknowledged \| alice \| SEV1 \|/);
    expect(md).toMatch(/\| notified \| CTO \(log\) \| SEV1 \|/);
    expect(md).toContain('Status page (lab-status-page');
  });
});
