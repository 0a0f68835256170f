import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DrError } from '../engine/errors.js';
import { quarterOf, type DrillReport } from './report-types.js';

/** A drill report found in the evidence directory, with the file it came from. */
export interface StoredReport {
  readonly report: DrillReport;
  /** Base name of its markdown report (`2026-Q4-pitr-20261122T032909Z.md`). */
  readonly markdown: string;
  /** `2026-Q4`, from its start time. */
  readonly quarter: string;
}

const REPORT_JSON = /^\d{4}-Q[1-4]-[a-z0-9-]+-\d{8}T\d{6}Z\.json$/;

const seconds = z.number().nonnegative().optional();
/** The fields of a report the posture views read; the rest is not checked here. */
const ReportShape = z.object({
  scenario: z.string().min(1),
  title: z.string(),
  startedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time'),
  outcome: z.enum(['passed', 'failed', 'error']),
  targets: z.object({
    rtoTargetMinutes: z.number().positive(),
    rpoTargetSeconds: z.number().nonnegative(),
  }),
  achieved: z.object({
    rtoSeconds: seconds,
    rpoSeconds: seconds,
    rpoUpperBoundSeconds: seconds,
    lostWrites: z.number().int().nonnegative().optional(),
    acknowledgedWrites: z.number().int().nonnegative().optional(),
  }),
});

/** A report file that could not be read, and why. */
export interface SkippedReport {
  readonly file: string;
  readonly reason: string;
}

/**
 * Like {@link readStoredReports}, but a malformed report (not JSON, or missing a field the
 * posture views read) is named in `skipped` with the reason instead of failing the whole read.
 */
export function readEvidence(dir: string): {
  reports: StoredReport[];
  skipped: SkippedReport[];
} {
  const reports: StoredReport[] = [];
  const skipped: SkippedReport[] = [];
  if (!existsSync(dir)) return { reports, skipped };
  for (const f of readdirSync(dir).filter((n) => REPORT_JSON.test(n))) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    } catch (err) {
      skipped.push({ file: f, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    const parsed = ReportShape.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push({
        file: f,
        reason: `${issue?.path.join('.') || 'report'}: ${issue?.message ?? 'invalid'}`,
      });
      continue;
    }
    const report = raw as DrillReport;
    reports.push({
      report,
      markdown: f.replace(/\.json$/, '.md'),
      quarter: quarterOf(new Date(report.startedAt)),
    });
  }
  reports.sort((a, b) => Date.parse(a.report.startedAt) - Date.parse(b.report.startedAt));
  return { reports, skipped };
}

/**
 * Every drill report (`YYYY-QX-<scenario>-<stamp>.json`) in `dir`, oldest first; a malformed
 * one is an error naming the file (the quarterly evidence must not silently leave a drill out).
 */
export function readStoredReports(dir: string): StoredReport[] {
  const { reports, skipped } = readEvidence(dir);
  const bad = skipped[0];
  if (bad)
    throw new DrError('PRECONDITION', `drill report ${path.join(dir, bad.file)}: ${bad.reason}`, {
      hint: 'fix or move the file away; `drkit matrix` lists every malformed report',
    });
  return reports;
}

/** A follow-up and its life: raised by one drill, closed by a later drill of the same kind. */
export interface FollowUpStatus {
  readonly text: string;
  readonly raisedBy: string;
  /** The later report of the same drill (same title) that no longer raised it. */
  readonly closedBy: string | undefined;
}

/**
 * Follow-ups from evidence only: one raised by a drill stays open until a later drill of the
 * same kind (same title: scenario and variant) runs without raising it again.
 */
export function followUpStatus(reports: ReadonlyArray<StoredReport>): FollowUpStatus[] {
  const out: FollowUpStatus[] = [];
  reports.forEach((s, i) => {
    const later = reports.slice(i + 1).filter((l) => l.report.title === s.report.title);
    for (const text of s.report.followUps) {
      const closer = later.find((l) => !l.report.followUps.includes(text));
      // Raised again by the next drill: that drill carries it on, not this one.
      if (later[0]?.report.followUps.includes(text)) continue;
      out.push({ text, raisedBy: s.markdown, closedBy: closer?.markdown });
    }
  });
  return out;
}

/** One line of seed 003's DR test checklist, ticked from evidence only. */
export interface ChecklistItem {
  readonly item: string;
  readonly done: boolean;
  /** The report (or post-mortem) that proves the tick, or why there is none. */
  readonly evidence: string;
}

/**
 * Seed 003's communication plan, from a report's incident: declared, people told per the
 * escalation matrix, and no notification or status page update failed.
 */
const communicated = (r: DrillReport): boolean => {
  const t = r.incident?.timeline ?? [];
  return (
    t.some((e) => e.type === 'notified') &&
    !t.some((e) => e.type === 'notify-failed' || e.type === 'status-page-failed')
  );
};

const stepOk = (r: DrillReport, id: string) =>
  r.spans.some((s) => s.kind === 'step' && s.name === id && s.outcome === 'succeeded');

/**
 * Seed 003's DR test checklist over `reports` (a tick needs a report that proves it; the newest
 * is cited). `postMortemsCompleted` names the post-mortems whose follow-ups all have an owner.
 */
export function drChecklist(
  reports: ReadonlyArray<StoredReport>,
  postMortemsCompleted: ReadonlyArray<string> = [],
): ChecklistItem[] {
  const newest = (pred: (r: DrillReport) => boolean) =>
    [...reports]
      .sort((a, b) => Date.parse(b.report.startedAt) - Date.parse(a.report.startedAt))
      .find((s) => pred(s.report))?.markdown;
  const item = (name: string, proof: string | undefined, none: string): ChecklistItem => ({
    item: name,
    done: proof !== undefined,
    evidence: proof ?? none,
  });
  return [
    item(
      'Database point-in-time recovery tested',
      newest((r) => r.scenario === 'pitr' && r.outcome === 'passed'),
      'no passed `drkit drill pitr` report',
    ),
    item(
      'S3 object recovery tested',
      newest((r) => r.scenario === 's3-restore' && r.outcome === 'passed'),
      'no passed `drkit drill s3-restore` report',
    ),
    item(
      'Secret rotation tested',
      newest((r) => stepOk(r, 'rotate-credentials')),
      'no drill exercises secret rotation yet (the security-breach runbook has no drill)',
    ),
    item(
      'Lambda rollback tested',
      newest((r) => stepOk(r, 'rollback-functions')),
      'no drill exercises a Lambda rollback yet',
    ),
    item(
      'DNS failover tested',
      newest((r) => r.scenario === 'region-failover' && stepOk(r, 'flip-routing')),
      'no region-failover report with a successful `flip-routing` step',
    ),
    item(
      'Communication plan executed',
      newest(communicated),
      'no drill report with a declared incident whose every notification and status page update went out (a notification step alone is not the communication plan)',
    ),
    item(
      'Recovery time recorded',
      newest((r) => r.achieved.rtoSeconds !== undefined),
      'no report with a measured RTO',
    ),
    item(
      'Post-mortem completed',
      postMortemsCompleted.at(-1),
      'post-mortem drafts exist, but none has an owner for every follow-up',
    ),
  ];
}
