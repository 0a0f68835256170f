import path from 'node:path';
import { Command } from 'commander';
import { DrError } from '../../engine/errors.js';
import { readEvidence } from '../../report/evidence.js';
import { DEFAULT_MATRIX, drMatrix, renderMatrix } from '../../report/matrix.js';
import { cliContext } from '../context.js';

/** `drkit matrix`: the DR matrix, each component's targets against its last drill's evidence. */
export function matrixCommand(): Command {
  return new Command('matrix')
    .description(
      "the DR matrix: each component's tier and RTO/RPO targets against the last drill that proves it (from the evidence directory), flagging components never drilled, drilled too long ago, failed or over target",
    )
    .option('--reports <dir>', 'evidence directory (default: the config’s reportsDir)')
    .option('--strict', 'exit 11 (validation failed) when any component is flagged')
    .action((o: { reports?: string; strict?: boolean }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const cfg = loaded.config.matrix;
      const dir = path.resolve(loaded.baseDir, o.reports ?? loaded.config.reportsDir);
      const { reports, skipped } = readEvidence(dir);
      const components = { ...DEFAULT_MATRIX, ...cfg.components };
      const rows = drMatrix(components, reports, {
        now: new Date(),
        maxDrillAgeDays: cfg.maxDrillAgeDays,
      });
      const flagged = rows.filter((r) => r.flags.length > 0).length;
      out.result({ evidenceDir: dir, maxDrillAgeDays: cfg.maxDrillAgeDays, rows, skipped });
      out.info(`DR matrix — evidence: ${dir} (${reports.length} drill reports)`);
      out.info('');
      out.info(renderMatrix(rows));
      out.info('');
      for (const s of skipped)
        out.info(out.yellow(`skipped malformed report ${s.file}: ${s.reason}`));
      out.info(
        flagged
          ? out.yellow(`${flagged} of ${rows.length} components need attention`)
          : out.green(
              `all ${rows.length} components drilled within ${cfg.maxDrillAgeDays} days and on target`,
            ),
      );
      if (o.strict && flagged)
        throw new DrError('VALIDATION_FAILED', `${flagged} DR matrix components are flagged`, {
          hint: 'run the drills the matrix names (`drkit drill plan` lists them), or adjust the targets in the config’s matrix section',
        });
    });
}
