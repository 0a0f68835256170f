import { LabStatusPage } from '../adapters/lab-status-page/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { IncidentStore } from '../incidents/incident-store.js';
import { incidentPaths } from '../providers/incidents.js';
import type { DrillIncident } from '../report/report-types.js';

/**
 * The incident a drill's runbook execution declared (keyed by its execution id), with the
 * lab status page as it stands: what the drill report shows of seed 003's communication plan.
 * Undefined when the execution declared none.
 */
export function drillIncident(
  config: DrkitConfig,
  stateDir: string,
  executionId: string,
): DrillIncident | undefined {
  const paths = incidentPaths(stateDir);
  const inc = new IncidentStore(paths.incidents).list().find((i) => i.key === executionId);
  if (!inc) return undefined;
  const sp = config.incidents.statusPage;
  let statusPage: DrillIncident['statusPage'];
  if (sp.type === 'lab') {
    const s = new LabStatusPage(paths.statusPage, sp).summary();
    statusPage = {
      kind: 'lab-status-page',
      ...(inc.statusPage ? { incidentId: inc.statusPage.id } : {}),
      indicator: s.status.indicator,
      description: s.status.description,
      components: s.components.map((c) => ({ name: String(c.name), status: String(c.status) })),
    };
  } else if (inc.statusPage)
    statusPage = { kind: inc.statusPage.kind, incidentId: inc.statusPage.id };
  return {
    id: inc.id,
    severity: inc.severity,
    level: inc.level,
    status: inc.status,
    ...(inc.acknowledgedBy ? { acknowledgedBy: inc.acknowledgedBy } : {}),
    ...(inc.acknowledgedAt
      ? { secondsToAcknowledge: (Date.parse(inc.acknowledgedAt) - Date.parse(inc.openedAt)) / 1000 }
      : {}),
    escalations: inc.timeline.filter((e) => e.type === 'escalated').length,
    timeline: inc.timeline,
    ...(statusPage ? { statusPage } : {}),
  };
}
