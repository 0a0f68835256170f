import { Command, InvalidArgumentError } from 'commander';
import { APP_TABLES } from '../../validate/checksums.js';
import { assertValid, describeReport, validateDatabases } from '../../validate/suite.js';
import { cliContext } from '../context.js';

/** A whole number from 1 to 64, or commander's usage error naming the flag. */
function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError(`${flag} must be a whole number from 1 to 64 (got '${v}')`);
  return n;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('compare two databases: row counts and chunked (id, updated_at) hashes per table')
    .requiredOption('--source <url>', 'postgres://user@host:port/db of the reference database')
    .requiredOption('--target <url>', 'postgres://user@host:port/db of the database to check')
    .option('--tables <list>', 'comma-separated tables', APP_TABLES.map((t) => t.table).join(','))
    .option('--chunk-rows <n>', 'rows per hashed chunk', (v) => Number.parseInt(v, 10), 50_000)
    .option(
      '--workers <n>',
      'connections per database hashing key ranges in parallel, in one snapshot (1 = sequential)',
      (v) => positiveInt(v, '--workers'),
      2,
    )
    .action(
      async (
        o: { source: string; target: string; tables: string; chunkRows: number; workers: number },
        c: Command,
      ) => {
        const { out } = cliContext(c);
        const tables = o.tables.split(',').map((t) => ({ table: t.trim() }));
        const rep = await validateDatabases(o.source, o.target, tables, {
          chunkRows: o.chunkRows,
          workers: o.workers,
          onProgress: (m) => out.progress(m),
        });
        // --json prints one document: the report, or on a mismatch the error (exit 11), whose
        // details carry the per-table comparisons; printing both would not parse.
        if (rep.ok) out.result(rep);
        for (const l of describeReport(rep)) out.info(l);
        assertValid(rep);
      },
    );
}
