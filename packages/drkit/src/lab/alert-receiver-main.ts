#!/usr/bin/env node
/**
 * The lab's alert receiver as its own process (started by `drkit lab up --alerting`):
 * `node dist/lab/alert-receiver-main.js --settings <lab>/alerting/receiver.json`. Serves
 * drkit's `/metrics` for Prometheus and `POST /alerts` for Alertmanager (recorded, then handed
 * to the lab's notifier). Prints `ready` once listening; stops cleanly on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig } from '../config/load.js';
import path from 'node:path';
import { LagHistory } from '../report/lag-history.js';
import { renderPrometheus } from '../report/prometheus.js';
import { startAlertReceiver } from './alert-receiver.js';
import type { ReceiverSettings } from './alerting.js';
import { labScrape } from './metrics.js';
import { labProvider } from './provider.js';

const { values } = parseArgs({ options: { settings: { type: 'string' } } });
if (!values.settings) {
  process.stderr.write('usage: alert-receiver-main --settings FILE\n');
  process.exit(2);
}
const s = JSON.parse(readFileSync(values.settings, 'utf8')) as ReceiverSettings;
const config = parseConfig(s.config, values.settings);
const p = labProvider(config, s.baseDir, {
  echo: (line) => process.stdout.write(`${new Date().toISOString()} notified ${line}\n`),
});
// Prometheus scrapes every second: the lag history keeps one sample per 10 s of it.
const history = new LagHistory(path.resolve(s.baseDir, config.stateDir), { minIntervalMs: 10_000 });
const receiver = await startAlertReceiver({
  port: s.port,
  alertsFile: s.alertsFile,
  notifier: p.notifier,
  metrics: async () => await renderPrometheus(await labScrape(p, config, s.baseDir, history)),
});
process.stdout.write('ready\n');
const stop = () => {
  receiver.server.closeAllConnections();
  void receiver.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
