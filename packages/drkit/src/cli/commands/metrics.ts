import { Command } from 'commander';
import { labScrape } from '../../lab/metrics.js';
import { labProvider } from '../../lab/provider.js';
import { renderPrometheus } from '../../report/prometheus.js';
import { cliContext } from '../context.js';
import { parsePort, serveUntilSignal } from '../serve.js';

/** `drkit metrics`: the DR posture as Prometheus gauges, printed once or served for scraping. */
export function metricsCommand(): Command {
  return new Command('metrics')
    .description(
      "DR posture as Prometheus gauges (prom-client): whether the cluster the app writes to answers as a primary, archive lag and failures, standby lag in bytes and seconds, newest backup and newest restorable time ages, the recoverable window, each scenario's last drill RTO/RPO vs target, the configured RPO/RTO/backup-age thresholds; printed once, or served on /metrics with --serve",
    )
    .option('--serve', 'serve /metrics until interrupted (each scrape reads the lab afresh)')
    .option('--port <n>', 'port for --serve (0 = a free one, printed)', '9464')
    .option('--host <addr>', 'address for --serve', '127.0.0.1')
    .action(async (o: { serve?: boolean; port: string; host: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const port = parsePort(o.port);
      const p = labProvider(loaded.config, loaded.baseDir);
      const collect = () => labScrape(p, loaded.config, loaded.baseDir);
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
