import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import { execute, resume, type ExecuteOptions, type ExecutionResult } from '../engine/executor.js';
import { startEscalationWatch } from '../incidents/escalation-watch.js';
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
  /**
   * A drill's run: its incident goes on the status page without notifying subscribers
   * (`deliver_notifications=false`). @default false
   */
  readonly drill?: boolean;
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
  const state = opts.drill && entry.severity ? { ...prepared.state, drill: true } : prepared.state;
  return await withEscalation(target, entry, !opts.dryRun, opts.say, () =>
    execute(prepared.runbook, state, { ...opts, journalDir: target.journalDir }),
  );
}

/**
 * Runs `fn` while this process evaluates the incident desk's escalations (every
 * `incidents.watchIntervalMs`): an incident the runbook declared escalates on time even when
 * nobody runs `drkit incident watch`.
 */
async function withEscalation<T>(
  target: RunTarget,
  entry: RunbookEntry<object>,
  live: boolean,
  say: ((message: string) => void) | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!live || !entry.severity || !target.has('incidents')) return await fn();
  const watch = startEscalationWatch(
    target.port('incidents'),
    target.config.incidents.watchIntervalMs,
    {
      onEscalated: (ids) => say?.(`escalated (not acknowledged in time): ${ids.join(', ')}`),
      onError: (err) => say?.(`escalation check failed: ${(err as Error).message}`),
    },
  );
  try {
    return await fn();
  } finally {
    await watch.stop();
  }
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
  return await withEscalation(target, entry, true, opts.say, () =>
    resume(entry.bind(target), executionId, { ...opts, journalDir: target.journalDir }),
  );
}
