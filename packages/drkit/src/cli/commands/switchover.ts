import { Command } from 'commander';
import { createSwitchoverRunbook } from '../../runbooks/switchover/index.js';
import { runRegionRunbook } from './region-run.js';

/** `drkit switchover`: planned move of the primary to the other region, RPO 0 asserted. */
export function switchoverCommand(): Command {
  return new Command('switchover')
    .description('planned switchover of the lab to the other region (freeze, catch up, promote, reroute, unfreeze; RPO 0)')
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps')
    .action(async (o: { dryRun?: boolean; yes?: boolean }, c: Command) => {
      await runRegionRunbook(c, createSwitchoverRunbook, o, { reason: 'planned switchover' });
    });
}
