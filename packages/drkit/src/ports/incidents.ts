import type { IncidentStatus } from './status-page.js';

/**
 * The incident desk: opens an incident when a runbook declares, tells people per the
 * escalation matrix (severity → response time → who, per channel), escalates one level up
 * when nobody acknowledges within the response time, and keeps the status page and the
 * incident's timeline.
 *
 * Contract:
 * - `open` is idempotent by `key` (the runbook execution id): a resumed runbook gets the
 *   incident its first run opened; no one is paged twice and the status page gets no second
 *   incident.
 * - An unknown severity is a `UsageError` naming the matrix's severities.
 * - State survives the process: `ack`, `update`, `resolve` from another process (`drkit
 *   incident …`) are seen by `escalateDue` in the runbook's process, and two processes
 *   escalating at once escalate once.
 * - A channel that fails is recorded in the timeline (`notify-failed`) and does not stop the
 *   others.
 */
export interface IncidentDesk {
  readonly kind: string;
  /** The matrix's severities, most severe first. */
  severities(): string[];
  open(req: OpenIncident): Promise<Incident>;
  /** What `open` would do (dry run): who is told on which channel, the status page call. */
  planOpen(req: OpenIncident): string[];
  acknowledge(id: string, by: string): Promise<Incident>;
  update(id: string, u: { status?: IncidentStatus; body: string; by?: string }): Promise<Incident>;
  resolve(id: string, u: { body: string; by?: string }): Promise<Incident>;
  /** Escalates every open, unacknowledged incident whose response time has passed. */
  escalateDue(now?: Date): Promise<Incident[]>;
  list(): Incident[];
  /** @throws NotFoundError */
  get(id: string): Incident;
  /** The incident opened with `key`, if any. */
  byKey(key: string): Incident | undefined;
}

/** What a declare step asks for. */
export interface OpenIncident {
  /** Idempotency key: the runbook execution id. */
  readonly key: string;
  readonly title: string;
  readonly severity: string;
  readonly body: string;
  /** Components affected (status page). @default none */
  readonly components?: readonly string[];
  /** A drill: the status page does not notify subscribers. @default false */
  readonly drill?: boolean;
}

/** One line of an incident's timeline. */
export interface IncidentEvent {
  readonly at: string;
  readonly type:
    | 'opened'
    | 'notified'
    | 'notify-failed'
    | 'status-page'
    | 'status-page-failed'
    | 'acknowledged'
    | 'escalated'
    | 'status'
    | 'resolved';
  readonly note: string;
  /** The role told (notified), or the person acting (acknowledged, status, resolved). */
  readonly who?: string;
  readonly channel?: string;
  /** The matrix level at the time. */
  readonly level?: string;
}

/** An incident as the desk keeps it (`<stateDir>/incidents/<id>.json`). */
export interface Incident {
  readonly id: string;
  readonly key: string;
  readonly title: string;
  /** The severity it was declared with. */
  readonly severity: string;
  /** The matrix level currently paged (moves up on escalation). */
  readonly level: string;
  readonly status: IncidentStatus;
  readonly drill: boolean;
  readonly components: readonly string[];
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: string;
  /** When it escalates unless acknowledged (absent once acknowledged or resolved). */
  readonly escalatesAt?: string;
  readonly statusPage?: { readonly kind: string; readonly id: string };
  readonly timeline: readonly IncidentEvent[];
}
