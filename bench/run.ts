/**
 * `npm run bench`: runs every benchmark (or the ones named) one after another, each in its own
 * process, each writing its own section of bench/RESULTS.md.
 *
 *   npm run bench                 # all
 *   npm run bench -- pitr validate
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['pitr', 'validate', 'failover', 's3-restore', 's3-pit-restore', 'search-reindex'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = chosen.filter((c) => !ALL.includes(c));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${ALL.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  process.stderr.write(`\n=== bench/${name} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, name, 'run.ts')], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench/${name} failed (exit ${r.status})\n`);
  }
}
process.exit(failed ? 1 : 0);
