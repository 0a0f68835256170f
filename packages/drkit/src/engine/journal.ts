import {
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { DrError, NotFoundError } from './errors.js';
import { redact } from './redact.js';

/** Journals may hold operational detail: only their owner reads them. */
const JOURNAL_MODE = 0o600;

/** One line of an execution journal. */
export type JournalRecord =
  | {
      readonly type: 'execution-start';
      readonly at: string;
      readonly executionId: string;
      readonly runbook: string;
      readonly params: Record<string, unknown>;
      readonly pid: number;
      /** Where the config came from, so `resume` can rebuild the same adapters. */
      readonly configPath?: string;
      /** What the run acts on, as {@link Runbook.identity} said at the start. */
      readonly identity?: Record<string, unknown>;
    }
  | { readonly type: 'resume'; readonly at: string; readonly pid: number }
  | {
      readonly type: 'step-start';
      readonly at: string;
      readonly step: string;
      readonly attempt: number;
    }
  | {
      readonly type: 'step-progress';
      readonly at: string;
      readonly step: string;
      readonly message: string;
    }
  | {
      readonly type: 'step-end';
      readonly at: string;
      readonly step: string;
      readonly attempt: number;
      readonly outcome: 'succeeded' | 'failed' | 'skipped';
      readonly durationMs: number;
      readonly output?: Record<string, unknown>;
      readonly error?: Record<string, unknown>;
    }
  | {
      readonly type: 'event';
      readonly at: string;
      readonly name: string;
      readonly data?: Record<string, unknown>;
    }
  | {
      readonly type: 'execution-end';
      readonly at: string;
      readonly outcome: 'succeeded' | 'failed' | 'aborted';
      readonly error?: Record<string, unknown>;
    };

/**
 * An append-only JSONL journal, one file per execution, fsync'd after every record so a crash
 * loses at most the record being written. It lives in drkit's own directory, never inside a
 * system being recovered.
 */
export class Journal {
  readonly file: string;
  private fd: number | undefined;

  private constructor(file: string) {
    this.file = file;
  }

  /** Creates the journal of a new execution. */
  static create(dir: string, executionId: string): Journal {
    mkdirSync(dir, { recursive: true });
    const j = new Journal(path.join(dir, `${executionId}.jsonl`));
    j.fd = openSync(j.file, 'wx', JOURNAL_MODE);
    fchmodSync(j.fd, JOURNAL_MODE); // the umask must not widen it
    return j;
  }

  /** Opens an existing execution's journal for appending. @throws NotFoundError */
  static open(dir: string, executionId: string): Journal {
    const file = path.join(dir, `${executionId}.jsonl`);
    if (!existsSync(file)) {
      throw new NotFoundError(`no journal for execution ${executionId} in ${dir}`, {
        hint: 'list executions with `drkit runbook executions`',
      });
    }
    const j = new Journal(file);
    // Append only ('a+' = O_APPEND, readable to check the tail): what is on disk is never truncated or overwritten.
    j.fd = openSync(file, 'a+', JOURNAL_MODE);
    fchmodSync(j.fd, JOURNAL_MODE);
    // A crash mid-write leaves a torn last line without its newline: end it, so the next
    // record starts on a line of its own instead of being glued to the torn one.
    if (!endsWithNewline(j.fd)) {
      writeSync(j.fd, '\n');
      fsyncSync(j.fd);
    }
    return j;
  }

  /** Appends one record (secrets redacted) and fsyncs it. */
  append(rec: JournalRecord): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    writeSync(this.fd, JSON.stringify(redact(rec)) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Every complete record of a journal file; a torn line (crash mid-write) is dropped. */
  static read(file: string): JournalRecord[] {
    return Journal.inspect(file).records;
  }

  /**
   * Every complete record of a journal file, and the torn lines found (1-based line numbers).
   * A torn line is what a crash mid-write leaves; {@link Journal.open} ends it with a newline,
   * so a torn line followed by a `resume` record is a repaired crash. A torn line followed by
   * anything else means two writers or a damaged file: reading stops there (`damaged`).
   */
  static inspect(file: string): JournalInspection {
    const records: JournalRecord[] = [];
    const torn: number[] = [];
    let damaged = false;
    const lines = readFileSync(file, 'utf8').split('\n');
    let afterTorn = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.trim()) continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        torn.push(i + 1);
        afterTorn = true;
        continue;
      }
      if (afterTorn && rec.type !== 'resume') {
        damaged = true;
        break;
      }
      afterTorn = false;
      records.push(rec);
    }
    return { records, torn, damaged };
  }

  /**
   * Reads a journal to act on it (resume): a damaged journal is refused.
   * @throws DrError (`CONFLICT`) when a torn line is followed by other records.
   */
  static readForResume(file: string): JournalRecord[] {
    const r = Journal.inspect(file);
    if (r.damaged)
      throw new DrError(
        'CONFLICT',
        `journal ${file} is damaged: a torn line (line ${r.torn.join(', ')}) is followed by further records — two processes wrote it, or it was edited`,
        {
          hint: 'inspect it with `drkit runbook executions`; check the systems it acted on before doing anything else',
          details: { file, tornLines: r.torn },
        },
      );
    return r.records;
  }

  /**
   * Execution ids in a journal directory, oldest first. Only `<id>.jsonl` is a journal: an
   * execution's side files (`<id>.<kind>.jsonl`, e.g. RB-N-03's plan) carry a second dot.
   */
  static list(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /^[^.]+\.jsonl$/.test(f))
      .map((f) => f.slice(0, -'.jsonl'.length))
      .sort();
  }
}

/** What {@link Journal.inspect} found in a journal file. */
export interface JournalInspection {
  readonly records: JournalRecord[];
  /** 1-based numbers of lines that are not a complete record. */
  readonly torn: number[];
  /** A torn line followed by records other than a `resume`: reading stopped there. */
  readonly damaged: boolean;
}

function endsWithNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, size - 1);
  return b[0] === 0x0a;
}

/** What a journal says about an execution. */
export interface ExecutionSummary {
  readonly executionId: string;
  readonly runbook: string;
  readonly params: Record<string, unknown>;
  readonly configPath: string | undefined;
  /** What the run acts on, recorded at its start (absent in older journals). */
  readonly identity: Record<string, unknown> | undefined;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  readonly outcome: 'succeeded' | 'failed' | 'aborted' | 'incomplete';
  /** Steps that succeeded or were skipped: never run again. */
  readonly completed: ReadonlySet<string>;
  /** Params plus every completed step's output, in order. */
  readonly state: Record<string, unknown>;
  readonly timeline: ReadonlyArray<TimelineEntry>;
  readonly events: ReadonlyArray<{ name: string; at: string; data?: Record<string, unknown> }>;
}

/** One step's slot on the timeline (its last attempt). */
export interface TimelineEntry {
  readonly step: string;
  readonly start: string;
  readonly end: string | undefined;
  readonly outcome: 'succeeded' | 'failed' | 'skipped' | 'interrupted';
  readonly attempts: number;
  readonly durationMs: number | undefined;
}

/** Folds a journal's records into the execution's state and timeline. */
export function summarize(records: ReadonlyArray<JournalRecord>): ExecutionSummary {
  const first = records[0];
  if (!first || first.type !== 'execution-start')
    throw new Error('journal does not begin with execution-start');
  const state: Record<string, unknown> = { ...first.params };
  const completed = new Set<string>();
  const timeline = new Map<
    string,
    {
      start: string;
      end?: string;
      outcome: TimelineEntry['outcome'];
      attempts: number;
      durationMs?: number;
    }
  >();
  const events: Array<{ name: string; at: string; data?: Record<string, unknown> }> = [];
  let outcome: ExecutionSummary['outcome'] = 'incomplete';
  let endedAt: string | undefined;
  for (const r of records) {
    switch (r.type) {
      case 'step-start': {
        const prev = timeline.get(r.step);
        timeline.set(r.step, {
          start: prev?.start ?? r.at,
          outcome: 'interrupted',
          attempts: (prev?.attempts ?? 0) + 1,
        });
        break;
      }
      case 'step-end': {
        const prev = timeline.get(r.step) ?? {
          start: r.at,
          outcome: 'interrupted' as const,
          attempts: 1,
        };
        timeline.set(r.step, {
          ...prev,
          end: r.at,
          outcome: r.outcome,
          durationMs: Date.parse(r.at) - Date.parse(prev.start),
        });
        if (r.outcome !== 'failed') {
          completed.add(r.step);
          if (r.output) Object.assign(state, r.output);
        }
        break;
      }
      case 'event':
        events.push({ name: r.name, at: r.at, ...(r.data ? { data: r.data } : {}) });
        break;
      case 'execution-end':
        outcome = r.outcome;
        endedAt = r.at;
        break;
      case 'resume':
        outcome = 'incomplete';
        endedAt = undefined;
        break;
      default:
        break;
    }
  }
  return {
    executionId: first.executionId,
    runbook: first.runbook,
    params: first.params,
    configPath: first.configPath,
    identity: first.identity,
    startedAt: first.at,
    endedAt,
    outcome,
    completed,
    state,
    timeline: [...timeline.entries()].map(([step, t]) => ({
      step,
      start: t.start,
      end: t.end,
      outcome: t.outcome,
      attempts: t.attempts,
      durationMs: t.durationMs,
    })),
    events,
  };
}
