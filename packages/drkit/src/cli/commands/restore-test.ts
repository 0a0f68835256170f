import path from 'node:path';
import { Command, Option } from 'commander';
import { DrError } from '../../engine/errors.js';
import { labProvider } from '../../lab/provider.js';
import { labRestoreTest } from '../../lab/restore-test.js';
import { writeRestoreTestRecord } from '../../report/restore-test-record.js';
import { cliContext } from '../context.js';
import { providerOption } from './runbook.js';

/** `drkit restore-test`: restore the backups into a scratch cluster, validate it, remove it. */
export function restoreTestCommand(): Command {
  return new Command('restore-test')
    .description(
      "restore the latest backup (or a random point inside the recoverable window) of the cluster the app writes to into a scratch cluster, read every app table in full and run the app's read queries against it, record the evidence (recovery point, restore duration, SUCCESSFUL/FAILED with the reason) under <stateDir>/posture/restore-tests/, and remove the scratch cluster; exits 11 when FAILED. Schedule it (cron, CI): see the README",
    )
    .addOption(
      new Option('--target <target>', 'what to restore')
        .choices(['latest', 'random'])
        .default('latest'),
    )
    .addOption(providerOption())
    .action(async (o: { target: 'latest' | 'random'; provider?: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const provider = o.provider ?? loaded.config.provider;
      if (provider !== 'lab')
        throw new DrError(
          'CAPABILITY',
          `drkit restore-test is not built for the ${provider} provider yet`,
          {
            hint: 'it tests the lab (PostgreSQL + pgBackRest); on AWS, AWS Backup restore testing does this',
          },
        );
      const p = labProvider(loaded.config, loaded.baseDir);
      const rec = await labRestoreTest(p, { target: o.target, progress: (l) => out.progress(l) });
      let recorded: string | undefined;
      try {
        recorded = writeRestoreTestRecord(
          path.resolve(loaded.baseDir, loaded.config.stateDir),
          rec,
        );
      } catch (err) {
        out.progress(out.yellow(`restore test not recorded: ${(err as Error).message}`));
      }
      // --json prints one document: the record, or on FAILED the error carrying it in details
      if (rec.result === 'SUCCESSFUL') out.result({ ...rec, recorded });
      for (const x of rec.checks)
        out.info(
          `${x.ok ? out.green('ok    ') : x.enforced ? out.red('FAILED') : out.yellow('differs')} ${x.name.padEnd(22)} ${x.detail}${x.enforced ? '' : out.dim(' (reported, not judged)')}`,
        );
      const mark = rec.result === 'SUCCESSFUL' ? out.green(rec.result) : out.red(rec.result);
      out.info(
        `${mark}: ${rec.reason}\nrecovery point ${rec.recoveryPoint ?? 'not reached'}, restore ${rec.restoreDurationSeconds ?? '-'} s, scratch cluster ${rec.scratchCluster} removed${recorded ? `; evidence ${recorded}` : ''}`,
      );
      if (rec.result === 'FAILED')
        throw new DrError('VALIDATION_FAILED', `restore test FAILED: ${rec.reason}`, {
          hint: 'the backups of this cluster may not restore: see the evidence file, `drkit verify`, and pgBackRest’s log',
          details: { restoreTest: rec, recorded },
        });
    });
}
