import type { IncidentDesk } from '../../ports/incidents.js';
import type { IncidentStatus } from '../../ports/status-page.js';
import type { Notification, Notifier } from '../../ports/notifier.js';

/** What a declare step records about the incident it opened. */
export interface DeclaredIncident {
  declaredAt?: string;
  /** drkit's incident id (`drkit incident ack <id>`); absent when the provider has no desk. */
  deskIncidentId?: string;
}

/** What a declare step asks of {@link declare}. */
export interface DeclareRequest {
  readonly executionId: string;
  readonly severity: string;
  readonly drill: boolean;
  readonly components: readonly string[];
  readonly message: Notification;
}

/**
 * Opens the run's incident on the desk (idempotent by execution id: a resume finds the one its
 * first run opened), or, on a provider without one, pages through the notifier as before.
 */
export async function declare(
  desk: IncidentDesk | undefined,
  notifier: Notifier,
  req: DeclareRequest,
): Promise<DeclaredIncident> {
  const at = new Date();
  if (!desk) {
    await notifier.notify({ ...req.message, at });
    return { declaredAt: at.toISOString() };
  }
  const inc = await desk.open({
    key: req.executionId,
    title: req.message.subject,
    severity: req.severity,
    body: req.message.body,
    components: req.components,
    drill: req.drill,
  });
  return { declaredAt: inc.openedAt, deskIncidentId: inc.id };
}

/** The dry-run lines of {@link declare}. */
export function planDeclare(
  desk: IncidentDesk | undefined,
  notifier: Notifier,
  req: DeclareRequest,
): string[] {
  if (!desk) return notifier.planNotify(req.message);
  return [
    `open ${req.severity} incident (key ${req.executionId}${req.drill ? ', drill' : ''}): "${req.message.subject}"`,
    ...desk.planOpen({
      key: req.executionId,
      title: req.message.subject,
      severity: req.severity,
      body: req.message.body,
      components: req.components,
      drill: req.drill,
    }),
  ];
}

const ORDER: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

/**
 * Moves the run's incident forward to `status` (never back: a human may have moved it further);
 * safe to run twice.
 */
export async function incidentStatus(
  desk: IncidentDesk | undefined,
  incidentId: string | undefined,
  status: IncidentStatus,
  body: string,
): Promise<void> {
  if (!desk || !incidentId) return;
  const inc = desk.get(incidentId);
  if (ORDER.indexOf(inc.status) >= ORDER.indexOf(status)) return;
  await desk.update(incidentId, { status, body, by: 'drkit' });
}

/** Moves the run's incident to `monitoring` once the recovery is done (humans resolve it). */
export async function recoveryDone(
  desk: IncidentDesk | undefined,
  incidentId: string | undefined,
  body: string,
): Promise<void> {
  await incidentStatus(desk, incidentId, 'monitoring', body);
}
