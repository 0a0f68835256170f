import type { Command } from 'commander';
import { execute } from '../../engine/executor.js';
import type { Runbook } from '../../engine/runbook.js';
import { labProvider } from '../../lab/provider.js';
import { regionDeps, regionMoveParams, regionProvider } from '../../lab/regions.js';
import type {
  RegionDeps,
  RegionParams,
  RegionState,
} from '../../runbooks/region-failover/index.js';
import { cliContext } from '../context.js';
import { eventPrinter } from './runbook.js';

/** Runs a region runbook (failover, switchover, cutback) against the lab from the command line. */
export async function runRegionRunbook(
  c: Command,
  create: (deps: RegionDeps) => Runbook<RegionState>,
  o: { dryRun?: boolean; yes?: boolean },
  extra: Partial<RegionParams>,
  before?: (ctx: {
    say: (m: string) => void;
    p: ReturnType<typeof labProvider>;
    r: ReturnType<typeof regionProvider>;
  }) => Promise<Partial<RegionParams>>,
): Promise<void> {
  const { out, loaded } = cliContext(c);
  const p = labProvider(loaded.config, loaded.baseDir);
  const r = regionProvider(p);
  const more = before ? await before({ say: (m) => out.progress(m), p, r }) : {};
  const params = await regionMoveParams(p, r, { ...extra, ...more });
  const rb = create(regionDeps(p, r));
  const res = await execute(rb, params as RegionState, {
    journalDir: p.paths.journalDir,
    dryRun: o.dryRun ?? false,
    yes: o.yes ?? false,
    onEvent: eventPrinter(out),
    ...(loaded.path ? { configPath: loaded.path } : {}),
  });
  out.result({ executionId: res.executionId, dryRun: o.dryRun ?? false, state: res.state });
  if (o.dryRun) out.info(`dry run of ${rb.id}: nothing was changed`);
  else
    out.info(
      `${rb.id} done (${res.executionId}): primary ${res.state.newPrimary} in region ${res.state.toRegion}; journal ${res.journalFile}`,
    );
}
