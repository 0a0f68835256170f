import type { StoredReport } from './evidence.js';
import type { DrillReport } from './report-types.js';

/** One row of the DR matrix as configured: a component, its tier and its targets. */
export interface MatrixComponent {
  readonly tier: number;
  readonly rtoTargetMinutes: number;
  readonly rpoTargetSeconds: number;
  /** Drill scenarios (the reports' `scenario`) whose evidence counts for this component. */
  readonly scenarios: ReadonlyArray<string>;
  /** What the component is and which runbook recovers it. */
  readonly description: string;
}

/**
 * The seeds' DR matrix as defaults. Targets: seed 003's objectives (RTO 1 h, RPO 5 min) for the
 * tier-1 data stores; seed 000's RB-N-01 (RTO ≤ 90 min) for DNS/CDN; seed 001's reindex window
 * (hot slices < 15 min) for search, whose RPO is the database's (it is rebuilt from it); seed
 * 004's warm standby (RTO 30 min, RPO 300 s) for the providers the platform depends on.
 */
export const DEFAULT_MATRIX: Readonly<Record<string, MatrixComponent>> = {
  database: {
    tier: 1,
    rtoTargetMinutes: 60,
    rpoTargetSeconds: 300,
    scenarios: ['pitr', 'region-failover', 'switchover'],
    description: 'PostgreSQL/Aurora: RB-N-02 point-in-time restore, RB-N-01 regional failover',
  },
  'object-storage': {
    tier: 1,
    rtoTargetMinutes: 60,
    rpoTargetSeconds: 300,
    scenarios: ['s3-restore'],
    description: 'S3 media: RB-N-03 undelete / point-in-time restore of a prefix',
  },
  search: {
    tier: 2,
    rtoTargetMinutes: 15,
    rpoTargetSeconds: 300,
    scenarios: ['search-loss'],
    description: 'Typesense: RB-N-04 reindex from the database, hot slices first',
  },
  'key-value': {
    tier: 1,
    rtoTargetMinutes: 60,
    rpoTargetSeconds: 300,
    scenarios: ['table-restore'],
    description: 'DynamoDB: RB-N-05 table restore (PITR) and swap',
  },
  'payments-webhooks': {
    tier: 1,
    rtoTargetMinutes: 30,
    rpoTargetSeconds: 300,
    scenarios: ['webhook-outage'],
    description: "payment provider's webhooks: RB-N-06 replay into the idempotent handler",
  },
  email: {
    tier: 2,
    rtoTargetMinutes: 30,
    rpoTargetSeconds: 300,
    scenarios: ['email-failover'],
    description: 'email provider: RB-N-07 failover with resend and warm-up',
  },
  'dns-cdn': {
    tier: 1,
    rtoTargetMinutes: 90,
    rpoTargetSeconds: 300,
    scenarios: ['region-failover', 'switchover'],
    description: 'Route 53 / CloudFront / front door: RB-N-01 routing flip, RB-N-08 cutback',
  },
};

/**
 * Why a matrix row needs attention: `never drilled`, `drill too old`, `last drill failed`,
 * `RTO target missed`, `RPO target missed`, `RTO not measured`, `RPO not measured`, or for a
 * component proven by several scenarios, `<scenario> never drilled` / `<scenario> too old`.
 */
export type MatrixFlag = string;

/** One row of `drkit matrix`: target vs the last achieved figure, from the evidence. */
export interface MatrixRow {
  readonly component: string;
  readonly tier: number;
  readonly description: string;
  readonly rtoTargetSeconds: number;
  readonly rpoTargetSeconds: number;
  /** The newest report of one of the component's scenarios, or undefined when none exists. */
  readonly lastDrill:
    | {
        readonly scenario: string;
        readonly title: string;
        readonly startedAt: string;
        readonly outcome: DrillReport['outcome'];
        /** Days between the drill's start and `now`, one decimal. */
        readonly ageDays: number;
        readonly rtoSeconds: number | undefined;
        readonly rpoSeconds: number | undefined;
        /** The RPO's upper bound, when the drill measured one. */
        readonly rpoUpperBoundSeconds: number | undefined;
        readonly lostWrites: number | undefined;
        readonly acknowledgedWrites: number | undefined;
        readonly report: string;
      }
    | undefined;
  readonly flags: ReadonlyArray<MatrixFlag>;
}

/**
 * The DR matrix against the evidence: for each component, the newest drill report of one of its
 * scenarios, its achieved RTO and RPO checked against the component's own target (not the
 * drill's), and flags for a component never drilled, drilled more than `maxDrillAgeDays` ago,
 * whose last drill failed, missed a target, or did not measure a figure. The RPO compared is
 * the upper bound when the drill measured one: the figure that cannot flatter the recovery.
 */
export function drMatrix(
  components: Readonly<Record<string, MatrixComponent>>,
  reports: ReadonlyArray<StoredReport>,
  o: { readonly now: Date; readonly maxDrillAgeDays: number },
): MatrixRow[] {
  return Object.entries(components)
    .sort(([a, x], [b, y]) => x.tier - y.tier || a.localeCompare(b))
    .map(([component, c]) => {
      const rtoTargetSeconds = c.rtoTargetMinutes * 60;
      const newest = reports
        .filter((s) => c.scenarios.includes(s.report.scenario))
        .reduce<StoredReport | undefined>(
          (best, s) =>
            !best || Date.parse(s.report.startedAt) > Date.parse(best.report.startedAt) ? s : best,
          undefined,
        );
      const base = {
        component,
        tier: c.tier,
        description: c.description,
        rtoTargetSeconds,
        rpoTargetSeconds: c.rpoTargetSeconds,
      };
      if (!newest)
        return { ...base, lastDrill: undefined, flags: ['never drilled'] as MatrixFlag[] };
      const r = newest.report;
      const ageDays =
        Math.round(((o.now.getTime() - Date.parse(r.startedAt)) / 86_400_000) * 10) / 10;
      const rpoJudged = r.achieved.rpoUpperBoundSeconds ?? r.achieved.rpoSeconds;
      const flags: MatrixFlag[] = [];
      if (ageDays > o.maxDrillAgeDays) flags.push('drill too old');
      // Every scenario that proves the component is due on its own: a recent failover does not
      // make an untested point-in-time restore current.
      for (const sc of c.scenarios.filter((x) => x !== r.scenario)) {
        const last = reports
          .filter((s) => s.report.scenario === sc)
          .map((s) => Date.parse(s.report.startedAt))
          .sort((a, b) => b - a)[0];
        if (last === undefined) flags.push(`${sc} never drilled`);
        else if ((o.now.getTime() - last) / 86_400_000 > o.maxDrillAgeDays)
          flags.push(`${sc} too old`);
      }
      if (r.outcome !== 'passed') flags.push('last drill failed');
      if (r.achieved.rtoSeconds === undefined) flags.push('RTO not measured');
      else if (r.achieved.rtoSeconds > rtoTargetSeconds) flags.push('RTO target missed');
      if (rpoJudged === undefined) flags.push('RPO not measured');
      else if (rpoJudged > c.rpoTargetSeconds) flags.push('RPO target missed');
      return {
        ...base,
        lastDrill: {
          scenario: r.scenario,
          title: r.title,
          startedAt: r.startedAt,
          outcome: r.outcome,
          ageDays,
          rtoSeconds: r.achieved.rtoSeconds,
          rpoSeconds: r.achieved.rpoSeconds,
          rpoUpperBoundSeconds: r.achieved.rpoUpperBoundSeconds,
          lostWrites: r.achieved.lostWrites,
          acknowledgedWrites: r.achieved.acknowledgedWrites,
          report: newest.markdown,
        },
        flags,
      };
    });
}

const secs = (n: number | undefined) => (n === undefined ? 'not measured' : `${n.toFixed(2)} s`);
const dur = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** The matrix as a markdown table (what `drkit matrix` prints). */
export function renderMatrix(rows: ReadonlyArray<MatrixRow>): string {
  const lines = [
    '| component | tier | RTO target | RTO achieved | RPO target | RPO achieved (upper bound) | writes lost | last drill | flags |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const d = r.lastDrill;
      return [
        '',
        r.component,
        String(r.tier),
        dur(r.rtoTargetSeconds),
        d ? secs(d.rtoSeconds) : '—',
        dur(r.rpoTargetSeconds),
        d
          ? `${secs(d.rpoSeconds)}${d.rpoUpperBoundSeconds === undefined ? '' : ` (≤ ${d.rpoUpperBoundSeconds.toFixed(2)} s)`}`
          : '—',
        d ? `${d.lostWrites ?? 'n/a'} of ${d.acknowledgedWrites ?? 'n/a'}` : '—',
        d
          ? `${d.scenario} ${d.startedAt.slice(0, 10)} (${d.ageDays} d ago, ${d.outcome}) ${d.report}`
          : '—',
        r.flags.length ? r.flags.join(', ') : 'ok',
        '',
      ]
        .join(' | ')
        .trim();
    }),
  ];
  return lines.join('\n');
}
