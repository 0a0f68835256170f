import { Command, Option } from 'commander';
import { createCutbackRunbook } from '../../runbooks/cutback/index.js';
import { runRegionRunbook } from './region-run.js';
import { runRegistered } from './runbook.js';

/** `drkit cutback`: RB-N-08, back to the primary region after a failover. */
export function cutbackCommand(): Command {
  return new Command('cutback')
    .description(
      'RB-N-08 cutback: rebuild the old primary as a standby, switch back with RPO 0, keep the other region warm',
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
        if (o.provider === 'aws') return runRegistered(c, 'rb-n-08', {}, o);
        await runRegionRunbook(c, createCutbackRunbook, o, { reason: 'cutback after failover' });
      },
    );
}
