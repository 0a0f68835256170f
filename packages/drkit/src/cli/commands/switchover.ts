import { Command, Option } from 'commander';
import { createSwitchoverRunbook } from '../../runbooks/switchover/index.js';
import { runRegionRunbook } from './region-run.js';
import { runRegistered } from './runbook.js';

/** `drkit switchover`: planned move of the primary to the other region, RPO 0 asserted. */
export function switchoverCommand(): Command {
  return new Command('switchover')
    .description(
      'planned switchover to the other region (freeze, catch up, promote, reroute, unfreeze; RPO 0): the lab, or AWS with --provider aws',
    )
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps')
    .addOption(
      new Option(
        '--provider <provider>',
        'lab (default), or aws: the Aurora Global Database of aws.globalClusterId',
      ).choices(['lab', 'aws']),
    )
    .action(
      async (o: { dryRun?: boolean; yes?: boolean; provider?: 'lab' | 'aws' }, c: Command) => {
        if (o.provider === 'aws') return runRegistered(c, 'switchover', {}, o);
        await runRegionRunbook(c, createSwitchoverRunbook, o, { reason: 'planned switchover' });
      },
    );
}
