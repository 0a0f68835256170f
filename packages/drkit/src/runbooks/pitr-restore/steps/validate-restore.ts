import { readFileSync } from 'node:fs';
import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { viewApp } from '../../shared/app-endpoint.js';
import type { Endpoint } from '../../../ports/database.js';
import { APP_TABLES } from '../../../validate/checksums.js';
import {
  assertValid,
  describeReport,
  snapshotChecksums,
  verifySnapshot,
  type ChecksumSnapshot,
  type ParallelChecksums,
} from '../../../validate/suite.js';
import type { PitrDeps, PitrState } from '../context.js';

/**
 * Runs the data-validation suite on the restored cluster. With `expectedChecksums` (taken
 * before the corruption) every table must match them up to their max key; a mismatch fails
 * the step and nothing is swapped. Without them, the restored cluster is compared with the
 * (corrupted) source and the differences are reported for a human, not enforced.
 */
export function validateRestore(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'validate',
    title: 'Run the data validation suite (row counts, chunked key hashes)',
    timeoutMs: 60 * 60_000,
    plan: (ctx) =>
      ctx.state.expectedChecksums
        ? [
            `compare tables ${APP_TABLES.map((t) => t.table).join(', ')} of the restored cluster with ${ctx.state.expectedChecksums} (must match)`,
          ]
        : [
            `compare tables ${APP_TABLES.map((t) => t.table).join(', ')} of the restored cluster with '${ctx.state.source}' (reported, not enforced)`,
          ],
    async run(ctx) {
      if (!ctx.state.restoredEndpoint)
        throw new PreconditionError(
          'no restored cluster recorded: the restore step did not finish',
        );
      // the database the app uses, on the restored cluster; the source is where the app
      // pointed before the freeze
      const app = await viewApp(deps.secrets, ctx.state.appConfigSecret, deps.appSecretFormat);
      const sourceEndpoint =
        (ctx.state.previousConfig?.endpoint as Endpoint | null | undefined) ?? app.endpoint;
      const targetEndpoint: Endpoint = {
        ...ctx.state.restoredEndpoint,
        database: sourceEndpoint?.database ?? ctx.state.restoredEndpoint.database,
      };
      const workers = ctx.state.validateWorkers ?? 2; // journals from before the param: 2
      const pool = (e: Endpoint): ParallelChecksums => ({
        workers,
        connect: () => deps.connect(e),
      });
      const target = await deps.connect(targetEndpoint);
      try {
        if (ctx.state.expectedChecksums) {
          const snap = JSON.parse(
            readFileSync(ctx.state.expectedChecksums, 'utf8'),
          ) as ChecksumSnapshot;
          const rep = await verifySnapshot(snap, target, {
            boundedByExpected: true,
            parallel: pool(targetEndpoint),
            onProgress: (m) => ctx.progress(m),
          });
          const lines = describeReport(rep);
          assertValid(rep);
          return {
            validation: {
              ok: rep.ok,
              rowsChecked: rep.rowsChecked,
              durationMs: rep.durationMs,
              lines,
              mode: 'expected-checksums',
            },
          };
        }
        if (!sourceEndpoint)
          throw new PreconditionError(
            `secret ${ctx.state.appConfigSecret} names no database endpoint to compare the restore with`,
            { hint: 'pass --param expectedChecksums=<file> taken before the corruption' },
          );
        const source = await deps.connect(sourceEndpoint);
        try {
          const snap = await snapshotChecksums(source, undefined, {
            parallel: pool(sourceEndpoint),
          });
          const rep = await verifySnapshot(snap, target, {
            expectedClient: source,
            parallel: pool(targetEndpoint),
            onProgress: (m) => ctx.progress(m),
          });
          return {
            validation: {
              ok: rep.ok,
              rowsChecked: rep.rowsChecked,
              durationMs: rep.durationMs,
              lines: describeReport(rep),
              mode: 'against-source (informational)',
            },
          };
        } finally {
          await source.end();
        }
      } finally {
        await target.end();
      }
    },
  };
}
