import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import { parseConfig } from '../config/load.js';
import { ConfigError } from '../engine/errors.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../testing/moto.js';
import { channelNotifier, incidentDeskOf } from './incidents.js';

/** The config's channels built by the provider: SNS on moto, read back from moto's state. */
let env: MotoClients;
const dir = mkdtempSync(path.join(tmpdir(), 'drkit-channels-'));
beforeAll(async () => {
  env = await startMotoClients();
});
afterAll(async () => {
  await stopMotoClients(env ?? {});
  rmSync(dir, { recursive: true, force: true });
});

describe('incident channels from config', () => {
  it('GIVEN an SNS channel in the SEV1 row WHEN an incident opens THEN moto holds the page with its severity', async () => {
    const topic = await env.clients.sns().send(new CreateTopicCommand({ Name: 'drkit-pager' }));
    const config = parseConfig({
      incidents: {
        channels: { pager: { type: 'sns', topicArn: topic.TopicArn } },
        matrix: { SEV1: { response: '15m', notify: [{ who: 'Eng Lead', channel: 'pager' }] } },
        statusPage: { type: 'none' },
      },
    });
    const desk = incidentDeskOf(
      config.incidents,
      dir,
      { log: new LogNotifier(path.join(dir, 'n.jsonl')), awsClients: env.clients },
      () => undefined,
    );
    const inc = await desk.open({ key: 'e1', title: 'db down', severity: 'SEV1', body: 'b' });
    expect(inc.timeline.map((e) => e.type)).toEqual(['opened', 'notified']);
    const data = (await (await fetch(`${env.moto.endpoint}/moto-api/data.json`)).json()) as {
      sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
    };
    const sent = data.sns.Topic.find((t) => t.arn === topic.TopicArn)!.sent_notifications;
    expect(sent.map(([, , subject]) => subject)).toEqual([`[critical] [SEV1] db down (${inc.id})`]);
  });

  it('GIVEN an SNS channel and a provider without AWS clients WHEN bound THEN a ConfigError says how to get them', () => {
    expect(() =>
      channelNotifier('pager', { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:1:t' }, [], {
        log: new LogNotifier(path.join(dir, 'n.jsonl')),
      }),
    ).toThrow(ConfigError);
  });

  it('GIVEN a webhook channel whose variable is empty WHEN bound THEN a ConfigError names the variable', () => {
    expect(() =>
      channelNotifier('slack', { type: 'webhook', urlEnv: 'DRKIT_TEST_NO_HOOK' }, [], {
        log: new LogNotifier(path.join(dir, 'n.jsonl')),
        env: {},
      }),
    ).toThrow(/channel 'slack' is a webhook but DRKIT_TEST_NO_HOOK is empty/);
  });
});
