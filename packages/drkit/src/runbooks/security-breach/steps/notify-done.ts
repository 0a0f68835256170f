import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import { incidentStatus } from '../../shared/incident.js';
import type { SecurityBreachDeps, SecurityBreachState } from '../context.js';

/** Step 7: tells people the containment is done and how access comes back. */
export function notifyDone(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return notifyStep<SecurityBreachState>(deps.notifier, {
    id: 'notify-done',
    title: 'Notify: containment done',
    retry: { attempts: 3 },
    message: ({ state: s, executionId }) => {
      const e = s.evidence;
      return {
        subject: `SECURITY BREACH ${s.incidentId}: contained`,
        body: [
          `API stages at rate 0 / burst 0: ${(e?.stages ?? []).map((x) => `${x.stage} (was ${x.previous})`).join(', ')}.`,
          `Secrets rotated: ${(e?.secrets ?? []).map((x) => `${x.name} -> version ${x.newVersionId}`).join(', ')}.`,
          `Users signed out: ${e?.totalSignedOut ?? 0} (${Object.entries(e?.signedOut ?? {})
            .map(([p, n]) => `${p}: ${n}`)
            .join(', ')}).`,
          'Next: investigate scope, restore from a known-good backup if needed, notify affected parties.',
          `Access comes back with: drkit runbook run security-breach-restore-access --param fromExecution=${executionId}`,
        ].join('\n'),
        severity: 'critical',
      };
    },
    // contained, not recovered: the cause is known, the investigation goes on
    after: async ({ state: s }) =>
      await incidentStatus(
        deps.incidents,
        s.deskIncidentId,
        'identified',
        'Contained: API isolated, credentials rotated, sessions revoked. Investigating scope.',
      ),
  });
}
