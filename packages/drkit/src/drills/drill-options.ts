import type { DrkitConfig } from '../config/schema.js';
import type { ExecutorEvent } from '../engine/executor.js';
import path from 'node:path';
import {
  writeDrillReport,
  type DrillEvent,
  type DrillReport,
  type DrillSpan,
} from '../report/drill-report.js';
import type { ExecutionSummary } from '../engine/journal.js';
import { labPaths } from '../lab/provider.js';
import { drillIncident } from './drill-incident.js';

/** What every drill takes: where it runs, how long it watches, where the evidence goes. */
export interface DrillOptions {
  readonly config: DrkitConfig;
  readonly baseDir: string;
  /** Seconds of workload before the fault. @default 3 */
  readonly warmupSeconds?: number;
  /** Seconds of workload after the runbook, to see sustained success. */
  readonly sustainSeconds?: number;
  /** Seed users of the drill lab. */
  readonly seedUsers?: number;
  /** Keep the drill's lab running afterwards. @default false */
  readonly keep?: boolean;
  readonly onEvent?: (e: ExecutorEvent) => void;
  readonly progress?: (m: string) => void;
  /** Where reports go. @default config.reportsDir */
  readonly reportsDir?: string;
}

/** What every drill returns. */
export interface DrillResult {
  readonly report: DrillReport;
  readonly files: { markdown: string; json: string; svg: string };
  readonly drillDir: string;
}

/**
 * A drill's timeline as it happens: `mark` records an instant (and says it), `phase` times a
 * piece of work as a span; the report is drawn from `events` and `spans`.
 */
export function drillTimeline(say: (m: string) => void) {
  const events: DrillEvent[] = [];
  const spans: DrillSpan[] = [];
  const mark = (name: string, at = new Date(), note?: string) => {
    events.push({ name, at: at.toISOString(), ...(note ? { note } : {}) });
    say(`${name} at ${at.toISOString()}${note ? ` — ${note}` : ''}`);
  };
  const phase = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s = new Date();
    const r = await f();
    const e = new Date();
    spans.push({
      name,
      start: s.toISOString(),
      end: e.toISOString(),
      outcome: 'succeeded',
      durationMs: e.getTime() - s.getTime(),
      kind: 'phase',
    });
    return r;
  };
  /** The runbook's steps, from its journal's timeline, as spans of the drill's timeline. */
  const steps = (summary: ExecutionSummary | undefined) => {
    for (const t of summary?.timeline ?? [])
      spans.push({
        name: t.step,
        start: t.start,
        end: t.end,
        outcome: t.outcome,
        durationMs: t.durationMs,
        kind: 'step',
      });
  };
  return { events, spans, mark, phase, steps };
}

/** Writes a drill's report into `o.reportsDir` (else the config's) and returns the drill's result. */
export function drillResult(
  o: Pick<DrillOptions, 'baseDir' | 'config' | 'reportsDir'>,
  report: DrillReport,
  drillDir: string,
): DrillResult {
  // the incident the runbook declared, when it declared one: its timeline and the status page
  const incident =
    report.executionId && !report.incident
      ? // a drill's runbook keeps its state in the drill's directory (most drills) or the lab's
        [drillDir, labPaths(o.config, o.baseDir).stateDir]
          .map((dir) => drillIncident(o.config, dir, report.executionId!))
          .find((i) => i !== undefined)
      : undefined;
  const full = incident ? { ...report, incident } : report;
  const files = writeDrillReport(
    path.resolve(o.baseDir, o.reportsDir ?? o.config.reportsDir),
    full,
  );
  return { report: full, files, drillDir };
}
