import { Command } from 'commander';
import type { ProviderName } from '../../config/schema.js';
import { providerOption, runRegistered } from './runbook.js';

/** `drkit switchover`: planned move of the primary to the other region, RPO 0 asserted. */
export function switchoverCommand(): Command {
  return new Command('switchover')
    .description(
      'planned switchover to the other region (freeze, catch up, promote, reroute, unfreeze; RPO 0): the lab, or AWS with --provider aws',
    )
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps')
    .addOption(
      providerOption('lab (default), or aws: the Aurora Global Database of aws.globalClusterId'),
    )
    .action(async (o: { dryRun?: boolean; yes?: boolean; provider?: ProviderName }, c: Command) => {
      await runRegistered(c, 'switchover', {}, o);
    });
}
