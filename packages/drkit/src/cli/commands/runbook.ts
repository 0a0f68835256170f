import { Command, Option } from 'commander';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../../engine/errors.js';
import type { ExecutorEvent } from '../../engine/executor.js';
import { Journal, summarize } from '../../engine/journal.js';
import { labPaths } from '../../lab/provider.js';
import { PROVIDER_NAMES, type ProviderName } from '../../config/schema.js';
import { bindProvider } from '../../providers/index.js';
import { findRunbook, RUNBOOKS } from '../../runbooks/registry.js';
import { resumeRunbook, runRunbook } from '../../runbooks/run.js';
import { cliContext } from '../context.js';
import type { Output } from '../output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function parseParams(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0)
      throw new UsageError(`--param '${p}' is not key=value`, {
        hint: 'e.g. --param target=2026-11-22T10:30:00Z',
      });
    const key = p.slice(0, i);
    // A repeated key used to overwrite silently: which of two targets did the operator mean?
    if (Object.hasOwn(out, key))
      throw new UsageError(`--param ${key} is given twice`, {
        hint: `give each parameter once (--param ${key}=… appears more than once)`,
      });
    out[key] = p.slice(i + 1);
  }
  return out;
}

/** Prints executor events as progress lines. */
export function eventPrinter(out: Output): (e: ExecutorEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'plan':
        out.progress(
          `${out.bold(e.step)}${e.destructive ? out.yellow(' [destructive]') : ''}${e.applies === true ? '' : e.applies === false ? out.dim(' (skipped: does not apply)') : out.dim(' (if it applies)')} — ${e.title}`,
        );
        for (const l of e.lines) out.progress(`    ${l}`);
        break;
      case 'step-start':
        out.progress(
          `${out.dim('→')} ${e.step}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}: ${e.title}`,
        );
        break;
      case 'step-progress':
        out.progress(`    ${out.dim(e.message)}`);
        break;
      case 'step-end':
        out.progress(
          `${e.outcome === 'failed' ? out.red('✗') : e.outcome === 'skipped' ? out.dim('-') : out.green('✓')} ${e.step} ${e.outcome} in ${(e.durationMs / 1000).toFixed(2)} s`,
        );
        break;
      case 'step-retry':
        out.progress(
          `    ${out.yellow('retry')} in ${e.delayMs} ms: ${(e.error as Error).message}`,
        );
        break;
      case 'goal-already-holds':
        out.progress(`${out.green('=')} nothing to do: ${e.reason}`);
        break;
      case 'step-skip-completed':
        out.progress(`${out.dim('=')} ${e.step} already completed (journal): not run again`);
        break;
    }
  };
}

async function askTty(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(a.trim());
  } finally {
    rl.close();
  }
}

/** What `run` and `resume` take from the command line. */
export interface RunFlags {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly provider?: ProviderName;
  /** `drkit failover --detect`: wait for the provider's incident detector first. */
  readonly detect?: boolean;
}

/**
 * Runs a registered runbook on the chosen provider: `drkit runbook run`, and `drkit
 * failover|switchover|cutback` (the same path, the same journal).
 */
export async function runRegistered(
  c: Command,
  name: string,
  raw: Record<string, unknown>,
  o: RunFlags,
): Promise<void> {
  const { out, loaded } = cliContext(c);
  const entry = findRunbook(name);
  const p = bindProvider(o.provider ?? loaded.config.provider, loaded.config, loaded.baseDir, {
    ...(out.json ? {} : { log: (l: string) => out.progress(out.dim(`$ ${l}`)) }),
  });
  try {
    const res = await runRunbook(entry, p, raw, {
      dryRun: o.dryRun ?? false,
      yes: o.yes ?? false,
      ...(o.detect ? { detect: true } : {}),
      say: (m: string) => out.progress(m),
      ...(process.stdin.isTTY && !out.json ? { confirm: askTty } : {}),
      onEvent: eventPrinter(out),
      ...(loaded.path ? { configPath: loaded.path } : {}),
    });
    out.result({
      executionId: res.executionId,
      provider: p.provider,
      dryRun: o.dryRun ?? false,
      state: res.state,
      timeline: res.summary?.timeline,
    });
    out.info(
      o.dryRun
        ? `dry run of ${entry.id} (${p.provider}): nothing was changed`
        : `execution ${res.executionId} ${res.summary?.outcome}${res.journalFile ? `; journal ${res.journalFile}` : ''}`,
    );
  } finally {
    p.close();
  }
}

/** `--provider lab|aws`, for every command that binds one. */
export function providerOption(description = 'adapters to bind (default: from config)'): Option {
  return new Option('--provider <provider>', description).choices(PROVIDER_NAMES);
}

export function runbookCommand(): Command {
  const cmd = new Command('runbook').description(
    'run, plan and resume runbooks (journaled, resumable)',
  );

  cmd
    .command('list')
    .description('list the runbooks')
    .action((_o, c: Command) => {
      const { out } = cliContext(c);
      out.result(RUNBOOKS.map((r) => ({ id: r.id, aliases: r.aliases, title: r.title })));
      for (const r of RUNBOOKS)
        out.info(`${r.id.padEnd(10)} ${r.title} (aliases: ${r.aliases.join(', ')})`);
    });

  cmd
    .command('run')
    .description('run a runbook; --dry-run prints every command it would run and changes nothing')
    .argument('<name>', 'runbook id or alias (see `drkit runbook list`)')
    .option('-p, --param <key=value>', 'a runbook parameter (repeatable)', collect, [])
    .option('--dry-run', 'print the plan; change nothing')
    .option('-y, --yes', 'confirm destructive steps without asking')
    .option(
      '--severity <sev>',
      "severity of the incident its declare step opens (a row of incidents.matrix; default: the runbook's)",
    )
    .addOption(providerOption())
    .action(
      async (
        name: string,
        o: {
          param: string[];
          dryRun?: boolean;
          yes?: boolean;
          severity?: string;
          provider?: ProviderName;
        },
        c: Command,
      ) => {
        const raw = parseParams(o.param);
        if (o.severity !== undefined) {
          if (raw.severity !== undefined && raw.severity !== o.severity)
            throw new UsageError('--severity and --param severity= disagree', {
              hint: 'give the severity once',
            });
          raw.severity = o.severity;
        }
        await runRegistered(c, name, raw, o);
      },
    );

  cmd
    .command('resume')
    .description('continue an interrupted execution; completed steps are not run again')
    .argument('<executionId>')
    .option('-y, --yes', 'confirm destructive steps without asking')
    .addOption(
      providerOption('adapters to bind: the same as the interrupted run (default: from config)'),
    )
    .action(async (id: string, o: { yes?: boolean; provider?: ProviderName }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const p = bindProvider(o.provider ?? loaded.config.provider, loaded.config, loaded.baseDir, {
        ...(out.json ? {} : { log: (l: string) => out.progress(out.dim(`$ ${l}`)) }),
      });
      try {
        const res = await resumeRunbook(p, id, {
          yes: o.yes ?? false,
          say: (m: string) => out.progress(m),
          ...(process.stdin.isTTY && !out.json ? { confirm: askTty } : {}),
          onEvent: eventPrinter(out),
        });
        out.result({
          executionId: res.executionId,
          state: res.state,
          timeline: res.summary?.timeline,
        });
        out.info(`execution ${res.executionId} ${res.summary?.outcome}`);
      } finally {
        p.close();
      }
    });

  cmd
    .command('executions')
    .description('list journaled executions with their outcome')
    .action((_o, c: Command) => {
      const { out, loaded } = cliContext(c);
      const journalDir = labPaths(loaded.config, loaded.baseDir).journalDir;
      const rows = Journal.list(journalDir).map((id) => {
        const j = Journal.inspect(`${journalDir}/${id}.jsonl`);
        const s = summarize(j.records);
        return {
          executionId: id,
          runbook: s.runbook,
          // A damaged journal (records after a torn line) cannot vouch for its outcome.
          outcome: j.damaged ? ('damaged' as const) : s.outcome,
          tornLines: j.torn,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          completedSteps: [...s.completed],
        };
      });
      out.result(rows);
      for (const r of rows)
        out.info(
          `${r.executionId}  ${r.outcome.padEnd(10)} ${r.startedAt}  steps done: ${r.completedSteps.length}${r.tornLines.length ? `  (torn journal line ${r.tornLines.join(', ')}: a crash mid-write)` : ''}`,
        );
    });

  return cmd;
}
