import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import { execute, resume, type ExecuteOptions, type ExecutionResult } from '../engine/executor.js';
import { Journal, summarize } from '../engine/journal.js';
import type { PortBinding } from '../ports/port-set.js';
import type { PreparedRun, RunbookEntry } from './entry.js';
import { findRunbook } from './registry.js';

/** A provider as the run path needs it: its ports, its config and where journals go. */
export interface RunTarget extends PortBinding {
  readonly config: DrkitConfig;
  readonly journalDir: string;
}

/** Options of {@link runRunbook}: the executor's, plus detection. */
export interface RunOptions extends Omit<ExecuteOptions, 'journalDir'> {
  /**
   * Wait for the provider's incident detector to declare before the runbook starts (`drkit
   * failover --detect`); the run's `trigger` is then `detector`. @default false
   */
  readonly detect?: boolean;
  /** Progress lines of detection. @default none */
  readonly say?: (message: string) => void;
  /** Called once the runbook is bound and its parameters normalized, before it executes. */
  readonly onPrepared?: (prepared: PreparedRun<object>) => void;
}

/**
 * The one way a runbook runs — `drkit runbook run`, `drkit failover|switchover|cutback`, the
 * drills and the benchmarks: bind its ports on the provider (a missing one is refused before
 * anything runs), normalize the parameters, then execute (or plan, with `dryRun`).
 */
export async function runRunbook<S extends object>(
  entry: RunbookEntry<S>,
  target: RunTarget,
  raw: Record<string, unknown>,
  opts: RunOptions = {},
): Promise<ExecutionResult<S>> {
  let params = raw;
  if (opts.detect) {
    if (!target.has('incidentDetector')) {
      throw new UsageError(
        `--detect watches the ${target.provider} provider's primary region, but it has no incident detector (on AWS the runbook reads the Route 53 health check itself)`,
        { hint: 'drop --detect' },
      );
    }
    const detector = target.port('incidentDetector');
    // bind every port first: a provider that cannot run the runbook is refused before the wait
    for (const n of entry.needs) target.port(n);
    if (!opts.dryRun) {
      await detector.watch(opts.say ?? (() => undefined));
      params = { trigger: 'detector', ...raw };
    }
  }
  const prepared = await entry.prepare(params, target, {
    config: target.config,
    journalDir: target.journalDir,
  });
  opts.onPrepared?.(prepared);
  return await execute(prepared.runbook, prepared.state, {
    ...opts,
    journalDir: target.journalDir,
  });
}

/**
 * Continues an interrupted execution on the provider (the journal names the runbook):
 * completed steps are not run again.
 */
export async function resumeRunbook(
  target: RunTarget,
  executionId: string,
  opts: Omit<RunOptions, 'detect' | 'dryRun'> = {},
): Promise<ExecutionResult<object>> {
  const j = Journal.open(target.journalDir, executionId);
  const s = summarize(Journal.read(j.file));
  j.close();
  const entry = findRunbook(s.runbook);
  return await resume(entry.bind(target), executionId, { ...opts, journalDir: target.journalDir });
}
