import { Command } from 'commander';
import { HealthDetector } from '../../lab/health-detector.js';
import { createRegionFailoverRunbook } from '../../runbooks/region-failover/index.js';
import { runRegionRunbook } from './region-run.js';

/** `drkit failover`: RB-N-01, by hand or once the health detector declares the incident. */
export function failoverCommand(): Command {
  return new Command('failover')
    .description('RB-N-01 unplanned regional failover of the lab to the other region')
    .option('--force', 'fail over even though the primary region looks healthy')
    .option('--detect', 'run the health detector first and fail over when it declares the incident')
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps (fence, promote, flip routing)')
    .action(async (o: { force?: boolean; detect?: boolean; dryRun?: boolean; yes?: boolean }, c: Command) => {
      await runRegionRunbook(c, createRegionFailoverRunbook, o, { force: o.force ?? false, trigger: o.detect ? 'detector' : 'manual', reason: 'regional failover' }, async ({ say, r, p }) => {
        if (!o.detect) return {};
        void p;
        const hc = r.topology.health;
        const primary = r.topology.primaryRegion;
        const d = new HealthDetector({
          targets: r.topology.slots.filter((s) => s.region === primary).map((s) => `127.0.0.1:${s.port}`),
          intervalMs: hc.intervalMs,
          failureThreshold: hc.fall,
          timeoutMs: hc.timeoutMs,
        });
        say(`watching region ${primary}: ${hc.intervalMs} ms × ${hc.fall} failures`);
        d.start();
        const inc = await d.incident;
        say(`incident declared at ${inc.declaredAt.toISOString()} (first failure ${inc.firstFailureAt.toISOString()})`);
        return {};
      });
    });
}
