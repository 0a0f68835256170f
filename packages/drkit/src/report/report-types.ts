/* The evidence a drill writes: its data types, apart from the renderers that read them. */

/** A point in time the drill marks (fault injected, incident declared, recovery…). */
export interface DrillEvent {
  readonly name: string;
  readonly at: string;
  readonly note?: string;
}

/** A shaded window on the timeline. */
export interface DrillBand {
  readonly kind: 'outage' | 'loss';
  readonly start: string;
  readonly end: string;
  /** What it is and where it was measured, e.g. `write outage 1.21 s (workload log)`. */
  readonly label: string;
}

/** One bar on the timeline: a runbook step or a drill phase. */
export interface DrillSpan {
  readonly name: string;
  readonly start: string;
  readonly end: string | undefined;
  readonly outcome: 'succeeded' | 'failed' | 'skipped' | 'interrupted';
  readonly durationMs: number | undefined;
  readonly kind: 'step' | 'phase';
}

/** The incident a drill's runbook declared, as its desk kept it (seed 003's communication plan). */
export interface DrillIncident {
  readonly id: string;
  /** Declared severity, and the level it reached (escalations move it up). */
  readonly severity: string;
  readonly level: string;
  readonly status: string;
  readonly acknowledgedBy?: string;
  /** Opened → acknowledged (undefined when nobody acknowledged during the drill). */
  readonly secondsToAcknowledge?: number;
  readonly escalations: number;
  readonly timeline: ReadonlyArray<{
    readonly at: string;
    readonly type: string;
    readonly note: string;
    readonly who?: string;
    readonly channel?: string;
    readonly level?: string;
  }>;
  /** The status page as the report was written: overall indicator and each component. */
  readonly statusPage?: {
    readonly kind: string;
    readonly incidentId?: string;
    readonly indicator?: string;
    readonly description?: string;
    readonly components?: ReadonlyArray<{ readonly name: string; readonly status: string }>;
  };
}

/** Everything a drill measured; the JSON report is exactly this object. */
export interface DrillReport {
  readonly scenario: string;
  readonly drillId: string;
  readonly title: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly outcome: 'passed' | 'failed' | 'error';
  readonly targets: { readonly rtoTargetMinutes: number; readonly rpoTargetSeconds: number };
  readonly achieved: {
    /** Recovery − T0; undefined when service never recovered. */
    readonly rtoSeconds: number | undefined;
    readonly rpoSeconds: number | undefined;
    /**
     * How finely the workload saw the end of acceptance on the old cluster: the longest an app
     * task went unasked after its last write acknowledged there. Another client could have lost
     * writes up to this much later than the newest lost write the workload saw. @default not measured
     */
    readonly rpoResolutionSeconds?: number | undefined;
    /**
     * The most acknowledged history any client could have given up: the recovery point → the
     * latest end of those per-task gaps (≥ `rpoSeconds`; stated when nothing was lost too).
     * @default not measured
     */
    readonly rpoUpperBoundSeconds?: number | undefined;
    readonly lostWrites: number | undefined;
    readonly acknowledgedWrites: number | undefined;
  };
  /** Achieved minus target (negative is better than target). */
  readonly variance: {
    readonly rtoSeconds: number | undefined;
    readonly rpoSeconds: number | undefined;
  };
  readonly met: { readonly rto: boolean; readonly rpo: boolean };
  readonly events: ReadonlyArray<DrillEvent>;
  readonly spans: ReadonlyArray<DrillSpan>;
  /** Scenario-specific facts (restore target, validation result, …). */
  readonly facts: Record<string, string | number | boolean | null>;
  readonly followUps: ReadonlyArray<string>;
  readonly executionId?: string;
  /** The incident the runbook declared (timeline, escalations, status page). @default none declared */
  readonly incident?: DrillIncident;
  /**
   * Windows the timeline shades: the write outage, and the acknowledged writes given up (from
   * the recovery point to the newest lost write). @default none
   */
  readonly bands?: ReadonlyArray<DrillBand>;
  /**
   * Where each figure comes from (file, query), so an auditor can recompute it: figure name →
   * source. @default none listed
   */
  readonly sources?: Readonly<Record<string, string>>;
  /**
   * How this drill measures RTO and RPO, when not the workload client's view (first sustained
   * successful write after T0; the recovery point → the newest lost acknowledged write). @default that
   */
  readonly definitions?: {
    readonly rto: string;
    readonly rpo: string;
    /** How `achieved.rpoResolutionSeconds` is measured. @default not measured */
    readonly rpoResolution?: string;
    /** How `achieved.rpoUpperBoundSeconds` is measured. @default not measured */
    readonly rpoUpperBound?: string;
  };
}

/** `2026-Q4` for a date. */
export function quarterOf(d: Date): string {
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}
