import type { PostureCheck } from '../ports/posture.js';
import type { SkippedReport, StoredReport } from './evidence.js';
import { drMatrix, type MatrixComponent, type MatrixRow } from './matrix.js';
import type { DrillReport } from './report-types.js';
import type { RestoreTestRead } from './restore-test-record.js';
import type { readVerifyRecord, VerifyRecord } from './verify-record.js';

/** One drill on a scenario's history chart. */
export interface DrillPoint {
  readonly startedAt: string;
  readonly title: string;
  readonly outcome: DrillReport['outcome'];
  readonly rtoSeconds: number | undefined;
  readonly rpoSeconds: number | undefined;
  readonly rpoUpperBoundSeconds: number | undefined;
  /** The drill's own targets when it ran (a later change of target does not rewrite history). */
  readonly rtoTargetSeconds: number;
  readonly rpoTargetSeconds: number;
  /** Base name of the drill's markdown report. */
  readonly report: string;
}

/** Every drill of one scenario, oldest first. */
export interface ScenarioHistory {
  readonly scenario: string;
  readonly drills: ReadonlyArray<DrillPoint>;
}

/**
 * The verify checks that are lag or age figures (how far behind recovery would start from):
 * newest backup age, archiving (last archived), the recoverable window, the newest restorable
 * time, standby replay lag.
 */
export const LAG_AND_AGE_CHECKS: ReadonlyArray<string> = [
  'backup.age',
  'archiving',
  'recovery.window',
  'recovery.newest-restorable',
  'replication.lag',
];

/** The latest `drkit verify` result as the dashboard shows it. */
export type VerifySection =
  | { readonly kind: 'none'; readonly file: string }
  | { readonly kind: 'malformed'; readonly file: string; readonly reason: string }
  | {
      readonly kind: 'record';
      readonly file: string;
      readonly record: VerifyRecord;
      /** Hours between the checks and the page's generation, one decimal. */
      readonly ageHours: number;
      readonly counts: { readonly pass: number; readonly warn: number; readonly fail: number };
      /** The checks of {@link LAG_AND_AGE_CHECKS}, in the record's order. */
      readonly lagAndAge: ReadonlyArray<PostureCheck>;
    };

/** Everything the dashboard page shows; the page is a pure rendering of this. */
export interface DashboardData {
  readonly generatedAt: string;
  readonly evidenceDir: string;
  readonly maxDrillAgeDays: number;
  readonly matrix: ReadonlyArray<MatrixRow>;
  readonly history: ReadonlyArray<ScenarioHistory>;
  /** Malformed reports in the evidence directory, named and left out of everything else. */
  readonly skipped: ReadonlyArray<SkippedReport>;
  readonly verify: VerifySection;
  /** The latest `drkit restore-test` run, or why there is none. @default none recorded */
  readonly restoreTest?: RestoreTestRead;
}

/** Each scenario's drills, oldest first; scenarios in name order. */
export function drillHistory(reports: ReadonlyArray<StoredReport>): ScenarioHistory[] {
  const by = new Map<string, DrillPoint[]>();
  for (const s of reports) {
    const r = s.report;
    const points = by.get(r.scenario) ?? [];
    points.push({
      startedAt: r.startedAt,
      title: r.title,
      outcome: r.outcome,
      rtoSeconds: r.achieved.rtoSeconds,
      rpoSeconds: r.achieved.rpoSeconds,
      rpoUpperBoundSeconds: r.achieved.rpoUpperBoundSeconds,
      rtoTargetSeconds: r.targets.rtoTargetMinutes * 60,
      rpoTargetSeconds: r.targets.rpoTargetSeconds,
      report: s.markdown,
    });
    by.set(r.scenario, points);
  }
  return [...by]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scenario, drills]) => ({
      scenario,
      drills: drills.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)),
    }));
}

/** The verify record, its age and its lag and age figures, or why there is none. */
export function verifySection(read: ReturnType<typeof readVerifyRecord>, now: Date): VerifySection {
  if (read.kind !== 'record') return read;
  const { record } = read;
  const count = (s: PostureCheck['status']) => record.checks.filter((c) => c.status === s).length;
  return {
    kind: 'record',
    file: read.file,
    record,
    ageHours: Math.round((now.getTime() - Date.parse(record.checkedAt)) / 360_000) / 10,
    counts: { pass: count('pass'), warn: count('warn'), fail: count('fail') },
    lagAndAge: record.checks.filter((c) => LAG_AND_AGE_CHECKS.includes(c.id)),
  };
}

/** Assembles the page's data from the evidence, the matrix config and the verify record. */
export function dashboardData(o: {
  readonly now: Date;
  readonly evidenceDir: string;
  readonly components: Readonly<Record<string, MatrixComponent>>;
  readonly maxDrillAgeDays: number;
  readonly reports: ReadonlyArray<StoredReport>;
  readonly skipped: ReadonlyArray<SkippedReport>;
  readonly verify: ReturnType<typeof readVerifyRecord>;
  /** @default none recorded */
  readonly restoreTest?: RestoreTestRead;
}): DashboardData {
  return {
    generatedAt: o.now.toISOString(),
    evidenceDir: o.evidenceDir,
    maxDrillAgeDays: o.maxDrillAgeDays,
    matrix: drMatrix(o.components, o.reports, { now: o.now, maxDrillAgeDays: o.maxDrillAgeDays }),
    history: drillHistory(o.reports),
    skipped: o.skipped,
    verify: verifySection(o.verify, o.now),
    ...(o.restoreTest ? { restoreTest: o.restoreTest } : {}),
  };
}
