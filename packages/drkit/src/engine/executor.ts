import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AbortedError, DrError, PreconditionError, StepTimeoutError } from './errors.js';
import { Journal, summarize, type ExecutionSummary } from './journal.js';
import { TargetLock } from './lock.js';
import { assertUniqueStepIds, type Runbook } from './runbook.js';
import type { Step, StepContext } from './step.js';

/** What the executor tells its caller as it goes (for progress output). */
export type ExecutorEvent =
  | { type: 'step-start'; step: string; title: string; attempt: number }
  | { type: 'step-progress'; step: string; message: string }
  | {
      type: 'step-end';
      step: string;
      outcome: 'succeeded' | 'failed' | 'skipped';
      durationMs: number;
      error?: unknown;
    }
  | { type: 'step-retry'; step: string; attempt: number; delayMs: number; error: unknown }
  | { type: 'step-skip-completed'; step: string }
  | { type: 'goal-already-holds'; reason: string }
  | {
      type: 'plan';
      step: string;
      title: string;
      destructive: boolean;
      lines: string[];
      applies: boolean | 'unknown';
    };

export interface ExecuteOptions {
  /** Directory of journals (and locks under `locks/`). */
  readonly journalDir: string;
  /** Print the plan, change nothing, write no journal. @default false */
  readonly dryRun?: boolean;
  /** Confirms destructive steps without asking. @default false */
  readonly yes?: boolean;
  /** Asked before a destructive step when `yes` is false; absent means non-interactive. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Receives progress events. */
  readonly onEvent?: (e: ExecutorEvent) => void;
  /** Recorded in the journal so `resume` can rebuild adapters from the same config. */
  readonly configPath?: string;
  /** Execution id to use (tests, drills). @default generated */
  readonly executionId?: string;
  /** Cancels the run between or inside steps. */
  readonly signal?: AbortSignal;
}

export interface ExecutionResult<S> {
  readonly executionId: string;
  readonly journalFile: string | undefined;
  readonly state: S;
  readonly summary: ExecutionSummary | undefined;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Generates a sortable execution id: `<runbook>-<utc stamp>-<random>`. */
export function newExecutionId(runbookId: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${runbookId}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Runs a runbook from the start (or plans it with `dryRun`). */
export async function execute<S extends object>(
  rb: Runbook<S>,
  params: S,
  opts: ExecuteOptions,
): Promise<ExecutionResult<S>> {
  assertUniqueStepIds(rb as Runbook<object>);
  if (opts.dryRun) return await plan(rb, params, opts);
  const executionId = opts.executionId ?? newExecutionId(rb.id);
  const lock = TargetLock.acquire(
    path.join(opts.journalDir, 'locks'),
    rb.lockKey(params),
    executionId,
  );
  // Unknown when it cannot be read now (e.g. an unknown source): the steps refuse that.
  const identity = rb.identity ? await rb.identity(params).catch(() => undefined) : undefined;
  const journal = Journal.create(opts.journalDir, executionId);
  try {
    journal.append({
      type: 'execution-start',
      at: new Date().toISOString(),
      executionId,
      runbook: rb.id,
      params: params as Record<string, unknown>,
      pid: process.pid,
      ...(opts.configPath ? { configPath: opts.configPath } : {}),
      ...(identity ? { identity } : {}),
    });
    const held = await goalAlreadyHolds(rb, params);
    if (held !== undefined) {
      journal.append({
        type: 'event',
        at: new Date().toISOString(),
        name: 'goal-already-holds',
        data: { reason: held },
      });
      opts.onEvent?.({ type: 'goal-already-holds', reason: held });
      journal.append({ type: 'execution-end', at: new Date().toISOString(), outcome: 'succeeded' });
      const summary = summarize(Journal.read(journal.file));
      return {
        executionId,
        journalFile: journal.file,
        state: { ...params, goalAlreadyHeld: held },
        summary,
      };
    }
    return await runSteps(rb, { ...params }, new Set(), executionId, journal, opts);
  } finally {
    journal.close();
    lock.release();
  }
}

/**
 * Continues an execution from its journal: completed steps are not run again; the step that
 * was running when the process died is run again from its start.
 */
export async function resume<S extends object>(
  rb: Runbook<S>,
  executionId: string,
  opts: ExecuteOptions,
): Promise<ExecutionResult<S>> {
  const journal = Journal.open(opts.journalDir, executionId);
  let summary: ExecutionSummary;
  try {
    summary = summarize(Journal.readForResume(journal.file));
  } catch (err) {
    journal.close();
    throw err;
  }
  if (summary.runbook !== rb.id) {
    journal.close();
    throw new DrError(
      'USAGE',
      `execution ${executionId} is of runbook ${summary.runbook}, not ${rb.id}`,
    );
  }
  if (summary.outcome === 'succeeded') {
    journal.close();
    return { executionId, journalFile: journal.file, state: summary.state as S, summary };
  }
  try {
    await assertSameIdentity(rb, summary);
  } catch (err) {
    journal.close();
    throw err;
  }
  const lock = TargetLock.acquire(
    path.join(opts.journalDir, 'locks'),
    rb.lockKey(summary.params as S),
    executionId,
  );
  try {
    journal.append({ type: 'resume', at: new Date().toISOString(), pid: process.pid });
    return await runSteps(rb, summary.state as S, summary.completed, executionId, journal, opts);
  } finally {
    journal.close();
    lock.release();
  }
}

async function runSteps<S extends object>(
  rb: Runbook<S>,
  state: S,
  completed: ReadonlySet<string>,
  executionId: string,
  journal: Journal,
  opts: ExecuteOptions,
): Promise<ExecutionResult<S>> {
  try {
    for (const step of rb.steps) {
      if (opts.signal?.aborted) throw new AbortedError('the run was interrupted');
      if (completed.has(step.id)) {
        opts.onEvent?.({ type: 'step-skip-completed', step: step.id });
        continue;
      }
      const ctx = makeContext(
        step,
        state,
        executionId,
        false,
        journal,
        opts,
        opts.signal ?? new AbortController().signal,
      );
      if (step.when && !step.when(ctx)) {
        journal.append({
          type: 'step-end',
          at: new Date().toISOString(),
          step: step.id,
          attempt: 0,
          outcome: 'skipped',
          durationMs: 0,
        });
        opts.onEvent?.({ type: 'step-end', step: step.id, outcome: 'skipped', durationMs: 0 });
        continue;
      }
      if (step.destructive && !opts.yes) await confirmStep(step, ctx, opts);
      const output = await runWithRetry(step, state, executionId, journal, opts);
      if (output) Object.assign(state, output);
    }
    journal.append({ type: 'execution-end', at: new Date().toISOString(), outcome: 'succeeded' });
  } catch (err) {
    const aborted = err instanceof AbortedError;
    journal.append({
      type: 'execution-end',
      at: new Date().toISOString(),
      outcome: aborted ? 'aborted' : 'failed',
      error: errorRecord(err),
    });
    throw err;
  }
  const summary = summarize(Journal.read(journal.file));
  return { executionId, journalFile: journal.file, state, summary };
}

async function confirmStep<S extends object>(
  step: Step<S>,
  ctx: StepContext<S>,
  opts: ExecuteOptions,
): Promise<void> {
  const lines = await step.plan(ctx);
  if (!opts.confirm) {
    throw new AbortedError(`step ${step.id} is destructive and needs confirmation`, {
      hint: 'pass --yes to confirm destructive steps, or run in a terminal to be asked; the journal is kept, so `drkit runbook resume` continues from here',
      details: { step: step.id, plan: lines },
    });
  }
  const ok = await opts.confirm(
    `${step.title}\n${lines.map((l) => `  ${l}`).join('\n')}\nRun this destructive step?`,
  );
  if (!ok) {
    throw new AbortedError(`declined destructive step ${step.id}`, {
      hint: 'nothing of this step was run; resume the execution to be asked again',
    });
  }
}

async function runWithRetry<S extends object>(
  step: Step<S>,
  state: S,
  executionId: string,
  journal: Journal,
  opts: ExecuteOptions,
): Promise<Partial<S> | void> {
  const attempts = Math.max(1, step.retry?.attempts ?? 1);
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    journal.append({
      type: 'step-start',
      at: new Date(started).toISOString(),
      step: step.id,
      attempt,
    });
    opts.onEvent?.({ type: 'step-start', step: step.id, title: step.title, attempt });
    crashAt(step.id, 'before');
    try {
      const output = await runOnce(step, state, executionId, journal, opts);
      const durationMs = Date.now() - started;
      journal.append({
        type: 'step-end',
        at: new Date().toISOString(),
        step: step.id,
        attempt,
        outcome: 'succeeded',
        durationMs,
        ...(output ? { output: output as Record<string, unknown> } : {}),
      });
      opts.onEvent?.({ type: 'step-end', step: step.id, outcome: 'succeeded', durationMs });
      crashPoint(step.id);
      return output;
    } catch (err) {
      const durationMs = Date.now() - started;
      journal.append({
        type: 'step-end',
        at: new Date().toISOString(),
        step: step.id,
        attempt,
        outcome: 'failed',
        durationMs,
        error: errorRecord(err),
      });
      const retryable = err instanceof DrError ? err.retryable : step.retry?.retryAll === true;
      if (attempt >= attempts || !(retryable || step.retry?.retryAll) || opts.signal?.aborted) {
        opts.onEvent?.({
          type: 'step-end',
          step: step.id,
          outcome: 'failed',
          durationMs,
          error: err,
        });
        throw err;
      }
      const delayMs = backoffDelay(attempt, step.retry);
      opts.onEvent?.({ type: 'step-retry', step: step.id, attempt, delayMs, error: err });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/** Full-jitter exponential backoff: random in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  policy?: { baseDelayMs?: number; maxDelayMs?: number },
): number {
  const base = policy?.baseDelayMs ?? 500;
  const cap = Math.min(policy?.maxDelayMs ?? 10_000, base * 2 ** (attempt - 1));
  return Math.round(Math.random() * cap);
}

async function runOnce<S extends object>(
  step: Step<S>,
  state: S,
  executionId: string,
  journal: Journal,
  opts: ExecuteOptions,
): Promise<Partial<S> | void> {
  const timeoutMs = step.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(new AbortedError('the run was interrupted'));
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new StepTimeoutError(`step ${step.id} timed out after ${timeoutMs} ms`, {
        hint: 'raise the step timeout in config, or check the system it waits on',
      });
      ac.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    const ctx = makeContext(step, state, executionId, false, journal, opts, ac.signal);
    const work = (async () => {
      const out = await step.run(ctx);
      const merged = out ? { ...state, ...out } : state;
      if (step.verify) await step.verify({ ...ctx, state: merged });
      return out;
    })();
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function makeContext<S extends object>(
  step: Step<S>,
  state: S,
  executionId: string,
  dryRun: boolean,
  journal: Journal | undefined,
  opts: ExecuteOptions,
  signal: AbortSignal,
): StepContext<S> {
  return {
    state,
    executionId,
    dryRun,
    signal,
    progress(message: string) {
      journal?.append({
        type: 'step-progress',
        at: new Date().toISOString(),
        step: step.id,
        message,
      });
      opts.onEvent?.({ type: 'step-progress', step: step.id, message });
      if (journal) crashAt(step.id, message);
    },
  };
}

async function plan<S extends object>(
  rb: Runbook<S>,
  params: S,
  opts: ExecuteOptions,
): Promise<ExecutionResult<S>> {
  const executionId = opts.executionId ?? `dry-run-${newExecutionId(rb.id)}`;
  const held = await goalAlreadyHolds(rb, params);
  if (held !== undefined) {
    opts.onEvent?.({ type: 'goal-already-holds', reason: held });
    return {
      executionId,
      journalFile: undefined,
      state: { ...params, goalAlreadyHeld: held },
      summary: undefined,
    };
  }
  const signal = opts.signal ?? new AbortController().signal;
  for (const step of rb.steps) {
    const ctx = makeContext(step, params, executionId, true, undefined, opts, signal);
    let applies: boolean | 'unknown' = true;
    if (step.when) {
      try {
        applies = step.when(ctx);
      } catch {
        applies = 'unknown'; // depends on an output only a real run produces
      }
    }
    const lines = await step.plan(ctx);
    opts.onEvent?.({
      type: 'plan',
      step: step.id,
      title: step.title,
      destructive: step.destructive === true,
      lines,
      applies,
    });
  }
  return { executionId, journalFile: undefined, state: params, summary: undefined };
}

/**
 * Refuses to resume against something other than what the execution started on.
 * @throws PreconditionError
 */
async function assertSameIdentity<S extends object>(
  rb: Runbook<S>,
  summary: ExecutionSummary,
): Promise<void> {
  if (!rb.identity || !summary.identity) return;
  let now: Record<string, unknown>;
  try {
    now = await rb.identity(summary.params as S);
  } catch (err) {
    throw new PreconditionError(
      `execution ${summary.executionId} cannot be resumed: what it acts on cannot be identified now (${(err as Error).message})`,
      {
        hint: 'it may have been removed or rebuilt since; check the world, then start a new execution',
        cause: err,
        details: { recorded: summary.identity },
      },
    );
  }
  if (JSON.stringify(now) !== JSON.stringify(summary.identity)) {
    throw new PreconditionError(
      `execution ${summary.executionId} was started against something else: recorded ${JSON.stringify(summary.identity)}, now ${JSON.stringify(now)}`,
      {
        hint: 'the system was rebuilt since (e.g. `lab down --destroy` then `lab up`): its journal must not act on the new one; start a new execution',
        details: { recorded: summary.identity, now },
      },
    );
  }
}

/** The runbook's goal check; a failing check counts as "does not hold". */
async function goalAlreadyHolds<S extends object>(
  rb: Runbook<S>,
  params: S,
): Promise<string | undefined> {
  if (!rb.goalHolds) return undefined;
  try {
    return await rb.goalHolds(params);
  } catch {
    return undefined;
  }
}

function errorRecord(err: unknown): Record<string, unknown> {
  if (err instanceof DrError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

/** Appends a named event (fault injected, incident declared…) to an execution's journal. */
export function journalEvent(
  journalDir: string,
  executionId: string,
  name: string,
  data?: Record<string, unknown>,
  at = new Date(),
): void {
  const j = Journal.open(journalDir, executionId);
  try {
    j.append({ type: 'event', at: at.toISOString(), name, ...(data ? { data } : {}) });
  } finally {
    j.close();
  }
}

/**
 * Fault-injection point for crash drills and tests: with DRKIT_CRASH_AFTER_STEP=<step-id> the
 * process SIGKILLs itself right after that step's end is on disk — a real crash between two
 * steps, which `resume` must survive.
 */
function crashPoint(stepId: string): void {
  if (process.env.DRKIT_CRASH_AFTER_STEP === stepId) process.kill(process.pid, 'SIGKILL');
  crashAt(stepId, 'after');
}

/**
 * The crash-point harness's hook: with `DRKIT_CRASH_AT=<step-id>:<phase>` the process
 * SIGKILLs itself once that point's record is on disk. Phases: `before` (the step's start is
 * journaled, nothing of it ran), `after` (its end is journaled), or the beginning of one of its
 * progress messages (e.g. `restore-to-time:replay-wal-promote`: inside a long step).
 */
function crashAt(stepId: string, phase: string): void {
  const spec = process.env.DRKIT_CRASH_AT;
  if (!spec) return;
  const i = spec.indexOf(':');
  if (i <= 0 || spec.slice(0, i) !== stepId) return;
  const want = spec.slice(i + 1);
  if (want === 'before' || want === 'after' ? want === phase : phase.startsWith(want))
    process.kill(process.pid, 'SIGKILL');
}
