import type { PostureCheck } from '../ports/posture.js';
import type { SkippedReport, StoredReport } from './evidence.js';
import { drMatrix, type MatrixComponent, type MatrixRow } from './matrix.js';
import type { LagHistoryRead, LagPoint } from './lag-history.js';
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

/** One line of a lag chart: its label and a value (or a gap) at each of the chart's times. */
export interface LagSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
}

/** The lag history as the page charts it: time on x, seconds on y, the RPO target as a line. */
export interface LagSection {
  readonly file: string;
  /** Samples on the charts (the newest {@link LAG_CHART_MAX_POINTS}). */
  readonly samples: number;
  /** Samples in the file beyond what the charts show. */
  readonly omitted: number;
  readonly skippedLines: number;
  /** Unix seconds of each sample, ascending. */
  readonly times: ReadonlyArray<number>;
  /** Seconds since the newest archived WAL segment, per primary. */
  readonly archive: ReadonlyArray<LagSeries>;
  /** Standby replay lag in seconds, per `primary → standby`. */
  readonly replica: ReadonlyArray<LagSeries>;
  /** The configured RPO target the lags are held to (targets.rpoTargetSeconds). */
  readonly rpoTargetSeconds: number;
  /** The newest sample. */
  readonly latest: LagPoint | undefined;
}

/** The most samples a lag chart draws (the file itself is bounded by size). */
export const LAG_CHART_MAX_POINTS = 2000;

/** The lag history's newest points as chart series, aligned on their times. */
export function lagSection(read: LagHistoryRead, rpoTargetSeconds: number): LagSection {
  const points = read.points.slice(-LAG_CHART_MAX_POINTS);
  const times = [...new Set(points.map((p) => Date.parse(p.at) / 1000))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const archive = new Map<string, Array<number | null>>();
  const replica = new Map<string, Array<number | null>>();
  const slot = (m: Map<string, Array<number | null>>, label: string) => {
    const v = m.get(label) ?? times.map(() => null);
    m.set(label, v);
    return v;
  };
  for (const p of points) {
    const i = index.get(Date.parse(p.at) / 1000)!;
    if (p.archiveLagSeconds !== undefined) slot(archive, p.cluster)[i] = p.archiveLagSeconds;
    for (const s of p.standbys) slot(replica, `${p.cluster} → ${s.name}`)[i] = s.lagSeconds;
  }
  const series = (m: Map<string, Array<number | null>>) =>
    [...m].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => ({ label, values }));
  return {
    file: read.file,
    samples: points.length,
    omitted: read.points.length - points.length,
    skippedLines: read.skippedLines,
    times,
    archive: series(archive),
    replica: series(replica),
    rpoTargetSeconds,
    latest: points.at(-1),
  };
}

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
  /** Archive and replica lag over time (`drkit verify`, metrics scrapes). @default no history */
  readonly lag?: LagSection;
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
  /** The lag history and the RPO target its charts show. @default no lag section */
  readonly lag?: { readonly read: LagHistoryRead; readonly rpoTargetSeconds: number };
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
    ...(o.lag ? { lag: lagSection(o.lag.read, o.lag.rpoTargetSeconds) } : {}),
  };
}
