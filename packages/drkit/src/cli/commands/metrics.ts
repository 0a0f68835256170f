import { createServer } from 'node:http';
import { Command } from 'commander';
import { UsageError } from '../../engine/errors.js';
import { labScrape } from '../../lab/metrics.js';
import { labProvider } from '../../lab/provider.js';
import { renderPrometheus } from '../../report/prometheus.js';
import { cliContext } from '../context.js';

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
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: '${o.port}' is not a port number (0-65535)`);
      const p = labProvider(loaded.config, loaded.baseDir);
      const collect = () => labScrape(p, loaded.config, loaded.baseDir);
      if (!o.serve) {
        const { text } = await renderPrometheus(await collect());
        out.result({ text });
        out.info(text.trimEnd());
        return;
      }
      const server = createServer((req, res) => {
        if (req.url !== '/metrics') {
          res.writeHead(404).end('only /metrics\n');
          return;
        }
        collect()
          .then(renderPrometheus)
          .then(({ text, contentType }) =>
            res.writeHead(200, { 'content-type': contentType }).end(text),
          )
          .catch((err: unknown) => res.writeHead(500).end(`${(err as Error).message}\n`));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, o.host, () => resolve());
      });
      const addr = server.address();
      const url = `http://${o.host}:${typeof addr === 'object' && addr ? addr.port : port}/metrics`;
      out.result({ url });
      out.info(`serving ${url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const)
          process.once(sig, () => server.close(() => resolve()));
      });
    });
}
