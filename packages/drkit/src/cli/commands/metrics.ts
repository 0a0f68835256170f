import { Command } from 'commander';
import { labScrape } from '../../lab/metrics.js';
import path from 'node:path';
import { labProvider } from '../../lab/provider.js';
import { LagHistory } from '../../report/lag-history.js';
import { renderPrometheus } from '../../report/prometheus.js';
import { cliContext } from '../context.js';
import { parsePort, serveUntilSignal } from '../serve.js';

/** `drkit metrics`: the DR posture as Prometheus gauges, printed once or served for scraping. */
export function metricsCommand(): Command {
  return new Command('metrics')
    .description(
      "DR posture as Prometheus gauges (prom-client): whether the cluster the app writes to answers as a primary, archive lag and failures, standby lag in bytes and seconds, newest backup and newest restorable time ages, the recoverable window, each scenario's last drill RTO/RPO vs target, the core tables' deleted-row counters, search and email provider health, the configured RPO/RTO/backup-age/mass-delete thresholds; each run (served: every 10 s) appends the lag figures to <stateDir>/posture/lag-history.jsonl for the dashboard's lag charts; printed once, or served on /metrics with --serve",
    )
    .option('--serve', 'serve /metrics until interrupted (each scrape reads the lab afresh)')
    .option('--port <n>', 'port for --serve (0 = a free one, printed)', '9464')
    .option('--host <addr>', 'address for --serve', '127.0.0.1')
    .action(async (o: { serve?: boolean; port: string; host: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const port = parsePort(o.port);
      const p = labProvider(loaded.config, loaded.baseDir);
      // Each one-shot run is a sample of the lag history; a served endpoint keeps one per 10 s.
      const history = new LagHistory(path.resolve(loaded.baseDir, loaded.config.stateDir), {
        minIntervalMs: o.serve ? 10_000 : 0,
      });
      const collect = () => labScrape(p, loaded.config, loaded.baseDir, history);
      if (!o.serve) {
        const { text } = await renderPrometheus(await collect());
        out.result({ text });
        out.info(text.trimEnd());
        return;
      }
      await serveUntilSignal({
        path: '/metrics',
        port,
        host: o.host,
        render: async () => {
          const { text, contentType } = await renderPrometheus(await collect());
          return { contentType, body: text };
        },
        onListening: (url) => {
          out.result({ url });
          out.info(`serving ${url} (Ctrl-C to stop)`);
        },
      });
    });
}
