import type { StoredReport } from './evidence.js';

/** One slot of the seeds' quarterly drill calendar (seed 001 N.6). */
export interface PlannedDrill {
  readonly quarter: string;
  readonly drill: string;
  /** The report scenario that proves it. */
  readonly scenario: string;
  /** `drkit` command that runs it; undefined when drkit has no such drill yet. */
  readonly command: string | undefined;
  readonly note: string;
}

/** Seed 001's calendar: Q1 PITR, Q2 region failover, Q3 search total loss, Q4 S3 undelete + CDN purge. */
export const DRILL_CALENDAR: ReadonlyArray<Omit<PlannedDrill, 'quarter'> & { readonly q: number }> =
  [
    {
      q: 1,
      drill: 'Aurora/PostgreSQL PITR (RB-N-02)',
      scenario: 'pitr',
      command: 'drkit drill pitr',
      note: '',
    },
    {
      q: 2,
      drill: 'Region failover A→B (RB-N-01)',
      scenario: 'region-failover',
      command: 'drkit drill region-failover',
      note: '',
    },
    {
      q: 3,
      drill: 'Typesense total loss with reindex (RB-N-04)',
      scenario: 'search-loss',
      command: 'drkit drill search-loss',
      note: '',
    },
    {
      q: 4,
      drill: 'S3 mass undelete with CDN purge (RB-N-03)',
      scenario: 's3-restore',
      command: 'drkit drill s3-restore',
      note: '',
    },
  ];

/** A slot's status from the evidence: done (in its quarter), done late, due, overdue, planned. */
export interface PlanStatus extends PlannedDrill {
  readonly status: 'done' | 'done late' | 'due' | 'overdue' | 'planned';
  /** The report that shows it done (the first in or after its quarter, in that year). */
  readonly evidence: string | undefined;
}

/**
 * The year's plan against the evidence: a slot is done when a report of its scenario started in
 * its quarter, done late when one started later that year, else due in the current quarter,
 * overdue after it, planned before it.
 */
export function drillPlan(
  year: number,
  current: string,
  reports: ReadonlyArray<StoredReport>,
): PlanStatus[] {
  return DRILL_CALENDAR.map(({ q, ...d }) => {
    const quarter = `${year}-Q${q}`;
    const mine = reports.filter(
      (s) => s.report.scenario === d.scenario && s.quarter.startsWith(`${year}-`),
    );
    const inSlot = mine.find((s) => s.quarter === quarter);
    const late = mine.find((s) => s.quarter > quarter);
    const status: PlanStatus['status'] = inSlot
      ? 'done'
      : late
        ? 'done late'
        : quarter === current
          ? 'due'
          : quarter < current
            ? 'overdue'
            : 'planned';
    return { quarter, ...d, status, evidence: (inSlot ?? late)?.markdown };
  });
}
