import type { Step } from '../../../engine/step.js';
import type { SecurityBreachDeps, SecurityBreachState } from '../context.js';

/** Step 2: pages the incident before the first change, so people know why access goes away. */
export function declareBreach(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  const subject = (s: SecurityBreachState) =>
    `SECURITY BREACH ${s.incidentId}: isolating ${s.apiStages.length} API stage(s), rotating ${s.rotateSecrets.length} secret(s), signing out ${s.userPools.length} pool(s)`;
  return {
    id: 'declare',
    title: 'Page the incident (critical)',
    retry: { attempts: 3 },
    plan: ({ state: s }) => [`${deps.notifier.kind}: notify severity=critical "${subject(s)}"`],
    async run({ state: s }) {
      await deps.notifier.notify({
        subject: subject(s),
        body: [
          `Reason: ${s.reason}.`,
          `API stages cut to rate 0 / burst 0: ${s.apiStages.join(', ')}.`,
          `Secrets rotated: ${s.rotateSecrets.join(', ')}.`,
          `User pools signed out: ${s.userPools.join(', ')}.`,
          'Access comes back with `drkit runbook run security-breach-restore-access --param fromExecution=<this execution>` once the investigation clears it.',
        ].join('\n'),
        severity: 'critical',
      });
      return { declaredAt: new Date().toISOString() };
    },
  };
}
