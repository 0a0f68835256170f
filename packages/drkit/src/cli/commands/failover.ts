import { Command, Option } from 'commander';
import { UsageError } from '../../engine/errors.js';
import { HealthDetector } from '../../lab/health-detector.js';
import { createRegionFailoverRunbook } from '../../runbooks/region-failover/index.js';
import { runRegionRunbook } from './region-run.js';
import { runRegistered } from './runbook.js';

/** `drkit failover`: RB-N-01, by hand or once the health detector declares the incident. */
export function failoverCommand(): Command {
  return new Command('failover')
    .description(
      'RB-N-01 unplanned regional failover to the other region (the lab, or AWS with --provider aws)',
    )
    .option('--force', 'fail over even though the primary region looks healthy')
    .option('--detect', 'run the health detector first and fail over when it declares the incident')
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps (fence, promote, flip routing)')
    .addOption(
      new Option(
        '--provider <provider>',
        'lab (default), or aws: the regions, clusters and record of the aws: config',
      ).choices(['lab', 'aws']),
    )
    .action(
      async (
        o: {
          force?: boolean;
          detect?: boolean;
          dryRun?: boolean;
          yes?: boolean;
          provider?: 'lab' | 'aws';
        },
        c: Command,
      ) => {
        if (o.provider === 'aws') {
          // AWS declares through its own signals (Route 53 health checks, the cluster's status)
          if (o.detect)
            throw new UsageError(
              "--detect watches the lab's region A; on AWS the runbook reads the Route 53 health check itself",
              { hint: 'drop --detect' },
            );
          return runRegistered(c, 'rb-n-01', o.force ? { force: true } : {}, o);
        }
        await runRegionRunbook(
          c,
          createRegionFailoverRunbook,
          o,
          {
            force: o.force ?? false,
            trigger: o.detect ? 'detector' : 'manual',
            reason: 'regional failover',
          },
          async ({ say, r, p }) => {
            if (!o.detect) return {};
            void p;
            const hc = r.topology.health;
            const primary = r.topology.primaryRegion;
            const d = new HealthDetector({
              targets: r.topology.slots
                .filter((s) => s.region === primary)
                .map((s) => `127.0.0.1:${s.port}`),
              intervalMs: hc.intervalMs,
              failureThreshold: hc.fall,
              timeoutMs: hc.timeoutMs,
            });
            say(`watching region ${primary}: ${hc.intervalMs} ms × ${hc.fall} failures`);
            d.start();
            const inc = await d.incident;
            say(
              `incident declared at ${inc.declaredAt.toISOString()} (first failure ${inc.firstFailureAt.toISOString()})`,
            );
            return {};
          },
        );
      },
    );
}
