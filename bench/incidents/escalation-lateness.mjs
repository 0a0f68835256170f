// Escalation lateness: for 5 SEV2 incidents (response 2 s) nobody acknowledges, the time from
// opened + response to the `escalated` event, with the watch evaluating every N ms (argv[2],
// default 1000 = incidents.watchIntervalMs's default). Needs `npm run build`.
// Run: node bench/incidents/escalation-lateness.mjs 1000
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/drkit/dist',
);
const { parseConfig } = await import(`${dist}/config/load.js`);
const { incidentDeskOf } = await import(`${dist}/providers/incidents.js`);
const { LogNotifier } = await import(`${dist}/adapters/log-notifier/index.js`);
const { startEscalationWatch } = await import(`${dist}/incidents/escalation-watch.js`);

const interval = Number(process.argv[2] ?? 1000);
const RESPONSE_MS = 2000;
const dir = mkdtempSync(path.join(tmpdir(), 'drkit-escalation-'));
try {
  const cfg = parseConfig({
    incidents: {
      matrix: {
        SEV1: { response: '2s', notify: [{ who: 'CTO', channel: 'log' }] },
        SEV2: { response: '2s', notify: [{ who: 'Eng Lead', channel: 'log' }] },
      },
      statusPage: { type: 'none' },
      watchIntervalMs: interval,
    },
  });
  const log = new LogNotifier(path.join(dir, 'notifications.jsonl'));
  const desk = incidentDeskOf(cfg.incidents, dir, { log }, () => undefined);
  const watch = startEscalationWatch(desk, interval);
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await desk.open({ key: `k${i}`, title: 't', severity: 'SEV2', body: 'b' })).id);
    await new Promise((r) => setTimeout(r, 137)); // spread the deadlines over the interval
  }
  await new Promise((r) => setTimeout(r, RESPONSE_MS + interval + 500));
  await watch.stop();
  const lateMs = ids.map((id) => {
    const inc = desk.get(id);
    const e = inc.timeline.find((x) => x.type === 'escalated');
    return e ? Date.parse(e.at) - Date.parse(inc.openedAt) - RESPONSE_MS : null;
  });
  console.log(JSON.stringify({ watchIntervalMs: interval, responseMs: RESPONSE_MS, lateMs }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
