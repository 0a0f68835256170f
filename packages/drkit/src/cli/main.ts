#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exitCodeFor, exitCodeTable, UsageError } from '../engine/errors.js';
import { fromSystemError } from '../engine/system-error.js';
import { Output } from './output.js';
import { configCommand } from './commands/config.js';
import { costCommand } from './commands/cost.js';
import { drillCommand } from './commands/drill.js';
import { labCommand } from './commands/lab.js';
import { runbookCommand } from './commands/runbook.js';
import { validateCommand } from './commands/validate.js';
import { failoverCommand } from './commands/failover.js';
import { switchoverCommand } from './commands/switchover.js';
import { cutbackCommand } from './commands/cutback.js';
import { matrixCommand } from './commands/matrix.js';
import { verifyCommand } from './commands/verify.js';
import { metricsCommand } from './commands/metrics.js';
import { dashboardCommand } from './commands/dashboard.js';
import { configDriftCommand, configExportCommand } from './commands/config-export.js';
import { restoreTestCommand } from './commands/restore-test.js';
import { incidentCommand } from './commands/incident.js';

/** Builds the `drkit` command tree. */
export function buildProgram(): Command {
  const program = new Command('drkit')
    .description(
      'disaster recovery that runs, measured: runbooks as code, drills with RTO/RPO, a local lab',
    )
    .version('0.1.0')
    .option('-c, --config <file>', 'config file (default ./drkit.config.yaml, else lab defaults)')
    .option('--json', 'machine-readable output on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress output')
    .option('--no-color', 'no colours (also honoured: NO_COLOR)')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nExit codes:\n  0 ok, 1 unexpected error\n${exitCodeTable()
        .map(([c, n]) => `  ${n} ${c}`)
        .join('\n')}`,
    );
  program.addCommand(labCommand());
  program.addCommand(runbookCommand());
  program.addCommand(drillCommand());
  program.addCommand(validateCommand());
  program.addCommand(configCommand());
  program.addCommand(failoverCommand());
  program.addCommand(switchoverCommand());
  program.addCommand(cutbackCommand());
  program.addCommand(costCommand());
  program.addCommand(matrixCommand());
  program.addCommand(verifyCommand());
  program.addCommand(metricsCommand());
  program.addCommand(dashboardCommand());
  program.addCommand(configExportCommand());
  program.addCommand(configDriftCommand());
  program.addCommand(restoreTestCommand());
  program.addCommand(incidentCommand());
  for (const c of program.commands) c.showHelpAfterError();
  return program;
}

/**
 * Makes every command of the tree throw instead of calling `process.exit`: commander gives
 * `exitOverride` only to subcommands created after the call, not to those added with
 * `addCommand`, which then exited 1 on a usage error, before `--json` could print anything.
 */
function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const c of cmd.commands) overrideExits(c);
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  overrideExits(program);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander already printed its
      // message on stderr, so only the JSON document is left to print.
      if (err.exitCode === 0) return 0;
      const usage = new UsageError(err.message.replace(/^error: /, ''), {
        hint: 'see `drkit --help` and `drkit <command> --help`',
        details: { commanderCode: err.code },
      });
      if (json) new Output({ json }).error(usage);
      return exitCodeFor(usage);
    }
    const translated = fromSystemError(err);
    new Output({ json }).error(translated);
    return exitCodeFor(translated);
  }
}

// `drkit lab status | head`: a reader that goes away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv);
