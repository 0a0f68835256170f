/**
 * The status page port: what customers read during an incident (Statuspage in production,
 * drkit's own page in the lab). Incidents move investigating → identified → monitoring →
 * resolved; components carry Statuspage's statuses.
 *
 * Contract:
 * - `open` is idempotent by `key`: it looks the key up (in the incident's `metadata`) before
 *   creating, so a resumed runbook finds the incident its first run opened and never opens a
 *   second. It resolves with the page's incident id and whether it was created now.
 * - `deliverNotifications: false` (drills) creates and updates without notifying subscribers.
 * - A refused credential is a `ConfigError` naming the variable that holds it; a rate limit
 *   that outlasts the adapter's back-off is a retryable `DrError` (`THROTTLED`).
 * - `planOpen`/`planUpdate` name the exact calls and never contain the key's secret.
 */
export interface StatusPage {
  readonly kind: string;
  open(incident: StatusIncident): Promise<{ readonly id: string; readonly created: boolean }>;
  update(id: string, update: StatusUpdate): Promise<void>;
  planOpen(incident: StatusIncident): string[];
  planUpdate(id: string, update: StatusUpdate): string[];
}

/** Statuspage's realtime incident statuses, in their order. */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuspage's component statuses. */
export type ComponentStatus =
  'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

/** An incident as a status page opens it. */
export interface StatusIncident {
  /** Idempotency key (drkit's incident id): stored in the page's incident metadata. */
  readonly key: string;
  readonly name: string;
  readonly status: IncidentStatus;
  readonly body: string;
  /** Component name → status while the incident is open. @default none */
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  /** False during drills: subscribers are not told. */
  readonly deliverNotifications: boolean;
}

/** A later update of an open incident. */
export interface StatusUpdate {
  readonly status: IncidentStatus;
  readonly body: string;
  /** Component statuses to set with it (all `operational` on resolve). @default unchanged */
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  readonly deliverNotifications: boolean;
}
