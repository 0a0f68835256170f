import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, UsageError } from '../../engine/errors.js';
import { dashboardData, type DashboardData } from '../../report/dashboard-data.js';
import { renderDashboardHtml } from '../../report/dashboard-html.js';
import { readEvidence } from '../../report/evidence.js';
import { DEFAULT_MATRIX } from '../../report/matrix.js';
import { loadUplotAssets } from '../../report/uplot-assets.js';
import { readVerifyRecord } from '../../report/verify-record.js';
import { readRestoreTestRecord } from '../../report/restore-test-record.js';
import { readLagHistory } from '../../report/lag-history.js';
import { cliContext } from '../context.js';
import { parsePort, serveUntilSignal } from '../serve.js';

interface DashboardOptions {
  readonly out?: string;
  readonly reports?: string;
  readonly serve?: boolean;
  readonly port: string;
  readonly host: string;
}

/** `drkit dashboard`: the DR posture as one self-contained HTML page, written and optionally served. */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description(
      'write one self-contained HTML page (no network at view time; uPlot inlined): the DR matrix with target vs achieved, RTO and RPO per drill over time against the target for each scenario, the latest `drkit verify` result with its lag and age figures, replica and archive lag over time (<stateDir>/posture/lag-history.jsonl) against the RPO target, the latest `drkit restore-test`; malformed reports are named and skipped',
    )
    .option('--out <file>', 'page to write (default: <reportsDir>/dashboard.html)')
    .option('--reports <dir>', 'evidence directory (default: the config’s reportsDir)')
    .option('--serve', 'also serve the page on / until interrupted (rebuilt on every request)')
    .option('--port <n>', 'port for --serve (0 = a free one, printed)', '8464')
    .option('--host <addr>', 'address for --serve', '127.0.0.1')
    .action(async (o: DashboardOptions, c: Command) => {
      const { out, loaded } = cliContext(c);
      const port = o.serve ? parsePort(o.port) : undefined;
      const cfg = loaded.config;
      const evidenceDir = path.resolve(loaded.baseDir, o.reports ?? cfg.reportsDir);
      const file = o.out
        ? path.resolve(o.out)
        : path.resolve(loaded.baseDir, cfg.reportsDir, 'dashboard.html');
      if (o.reports && !existsSync(evidenceDir))
        throw new UsageError(`--reports: ${evidenceDir} does not exist`, {
          hint: 'name the directory the drills write their reports to (the config’s reportsDir by default)',
        });
      const assets = loadUplotAssets();
      const build = (): { data: DashboardData; html: string } => {
        const { reports, skipped } = readEvidence(evidenceDir);
        const data = dashboardData({
          now: new Date(),
          evidenceDir,
          components: { ...DEFAULT_MATRIX, ...cfg.matrix.components },
          maxDrillAgeDays: cfg.matrix.maxDrillAgeDays,
          reports,
          skipped,
          verify: readVerifyRecord(path.resolve(loaded.baseDir, cfg.stateDir)),
          restoreTest: readRestoreTestRecord(path.resolve(loaded.baseDir, cfg.stateDir)),
          lag: {
            read: readLagHistory(path.resolve(loaded.baseDir, cfg.stateDir)),
            rpoTargetSeconds: cfg.targets.rpoTargetSeconds,
          },
        });
        return { data, html: renderDashboardHtml(data, assets) };
      };
      const { data, html } = build();
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, html);
      } catch (err) {
        const why = `cannot write the dashboard page ${file}: ${(err as Error).message}`;
        throw o.out
          ? new UsageError(`--out: ${why}`, { hint: 'choose a file in a writable directory' })
          : new ConfigError(why, {
              hint: 'make the config’s reportsDir writable, or choose the page with --out',
            });
      }
      const summary = {
        file,
        bytes: Buffer.byteLength(html),
        evidenceDir,
        components: data.matrix.length,
        flagged: data.matrix.filter((r) => r.flags.length > 0).map((r) => r.component),
        scenarios: data.history.map((h) => ({ scenario: h.scenario, drills: h.drills.length })),
        skipped: data.skipped,
        verify:
          data.verify.kind === 'record'
            ? {
                file: data.verify.file,
                checkedAt: data.verify.record.checkedAt,
                ...data.verify.counts,
              }
            : data.verify,
        lag: {
          file: data.lag!.file,
          samples: data.lag!.samples,
          skippedLines: data.lag!.skippedLines,
          series: [...data.lag!.replica, ...data.lag!.archive].map((x) => x.label),
        },
        uplot: assets.version,
      };
      for (const s of data.skipped)
        out.progress(out.yellow(`skipped malformed report ${s.file}: ${s.reason}`));
      if (data.verify.kind === 'malformed')
        out.progress(
          out.yellow(`unreadable verify record ${data.verify.file}: ${data.verify.reason}`),
        );
      const drills = data.history.reduce((n, h) => n + h.drills.length, 0);
      out.info(
        `wrote ${file} (${Math.round(summary.bytes / 1024)} KiB): ${data.matrix.length} components (${summary.flagged.length} flagged), ${drills} drills in ${data.history.length} scenarios, verify: ${data.verify.kind === 'record' ? `${data.verify.record.checkedAt}` : data.verify.kind === 'none' ? 'none recorded' : 'unreadable'}`,
      );
      if (port === undefined) {
        out.result(summary);
        return;
      }
      await serveUntilSignal({
        path: '/',
        port,
        host: o.host,
        render: () =>
          Promise.resolve({ contentType: 'text/html; charset=utf-8', body: build().html }),
        onListening: (url) => {
          out.result({ ...summary, url });
          out.info(`serving ${url} (Ctrl-C to stop)`);
        },
      });
    });
}
