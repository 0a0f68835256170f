import type { DrkitConfig } from '../config/schema.js';
import type { ExecutorEvent } from '../engine/executor.js';
import type { DrillReport } from '../report/drill-report.js';

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
