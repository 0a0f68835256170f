import { Command } from 'commander';
import { DrError } from '../../engine/errors.js';
import { runPitrDrill } from '../../drills/pitr-drill.js';
import { cliContext } from '../context.js';
import { eventPrinter } from './runbook.js';

const int = (v: string) => Number.parseInt(v, 10);

export function drillCommand(): Command {
  const cmd = new Command('drill').description('game days: inject a fault, run the runbook, measure RTO/RPO, write evidence');

  cmd
    .command('pitr')
    .description('Q1 drill: bad mass delete → RB-N-02 point-in-time restore, measured')
    .option('--users <n>', 'seed users for the drill lab', int)
    .option('--warmup <s>', 'seconds of workload before the fault', int, 3)
    .option('--detection-delay <s>', 'seconds before the incident is declared', int, 0)
    .option('--sustain <s>', 'seconds of workload after recovery', int, 5)
    .option('--keep', 'leave the drill lab running')
    .action(async (o: { users?: number; warmup: number; detectionDelay: number; sustain: number; keep?: boolean }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const res = await runPitrDrill({
        config: loaded.config,
        baseDir: loaded.baseDir,
        warmupSeconds: o.warmup,
        detectionDelaySeconds: o.detectionDelay,
        sustainSeconds: o.sustain,
        keep: o.keep ?? false,
        ...(o.users !== undefined ? { seedUsers: o.users } : {}),
        onEvent: eventPrinter(out),
        progress: (m) => out.progress(m),
      });
      const r = res.report;
      out.result({ report: r, files: res.files });
      out.info(`${r.outcome === 'passed' ? out.green('PASSED') : out.red('FAILED')} ${r.title}`);
      out.info(`  RTO ${r.achieved.rtoSeconds?.toFixed(2) ?? 'not reached'} s (target ${r.targets.rtoTargetMinutes * 60} s)`);
      out.info(`  RPO ${r.achieved.rpoSeconds?.toFixed(2)} s, ${r.achieved.lostWrites} of ${r.achieved.acknowledgedWrites} acknowledged writes lost (target ${r.targets.rpoTargetSeconds} s)`);
      out.info(`  report: ${res.files.markdown}`);
      if (r.outcome !== 'passed') {
        throw new DrError('VALIDATION_FAILED', 'the drill did not meet its targets', { hint: `see ${res.files.markdown}` });
      }
    });
  return cmd;
}
