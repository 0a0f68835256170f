#!/usr/bin/env node
/**
 * The lab's status page as its own process (started by `drkit lab up`):
 * `node dist/lab/status-page-main.js --settings <lab>/status-page.json`. Serves `/status` and
 * `/api/v2/summary.json` from the page file the runbooks write. Prints `ready`; stops on
 * SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LabStatusPage } from '../adapters/lab-status-page/index.js';
import type { StatusPageSettings } from './status-page-lab.js';
import { startStatusPageServer } from './status-page-server.js';

const { values } = parseArgs({ options: { settings: { type: 'string' } } });
if (!values.settings) {
  process.stderr.write('usage: status-page-main --settings FILE\n');
  process.exit(2);
}
const s = JSON.parse(readFileSync(values.settings, 'utf8')) as StatusPageSettings;
const srv = await startStatusPageServer({
  page: new LabStatusPage(s.dir, { name: s.name, components: s.components }),
  port: s.port,
  ...(s.publicUrl ? { publicUrl: s.publicUrl } : {}),
});
process.stdout.write('ready\n');
const stop = () => {
  srv.server.closeAllConnections();
  void srv.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
