import { Command } from 'commander';
import type { ProviderName } from '../../config/schema.js';
import { providerOption, runRegistered } from './runbook.js';

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
      providerOption('lab (default), or aws: the regions, clusters and record of the aws: config'),
    )
    .action(
      async (
        o: {
          force?: boolean;
          detect?: boolean;
          dryRun?: boolean;
          yes?: boolean;
          provider?: ProviderName;
        },
        c: Command,
      ) => {
        await runRegistered(c, 'rb-n-01', o.force ? { force: true } : {}, o);
      },
    );
}
