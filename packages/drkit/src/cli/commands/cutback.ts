import { Command } from 'commander';
import type { ProviderName } from '../../config/schema.js';
import { providerOption, runRegistered } from './runbook.js';

/** `drkit cutback`: RB-N-08, back to the primary region after a failover. */
export function cutbackCommand(): Command {
  return new Command('cutback')
    .description(
      'RB-N-08 cutback: rebuild the old primary as a standby, switch back with RPO 0, keep the other region warm',
    )
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps')
    .addOption(
      providerOption('lab (default), or aws: the Aurora Global Database of aws.globalClusterId'),
    )
    .action(async (o: { dryRun?: boolean; yes?: boolean; provider?: ProviderName }, c: Command) => {
      await runRegistered(c, 'rb-n-08', {}, o);
    });
}
