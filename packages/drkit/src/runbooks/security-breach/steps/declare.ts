import type { Step, StepContext } from '../../../engine/step.js';
import { declare, planDeclare, type DeclareRequest } from '../../shared/incident.js';
import type { SecurityBreachDeps, SecurityBreachState } from '../context.js';

/** Step 2: declares the incident before the first change, so people know why access goes away. */
export function declareBreach(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  const request = ({
    state: s,
    executionId,
  }: StepContext<SecurityBreachState>): DeclareRequest => ({
    executionId,
    severity: s.severity ?? 'SEV1',
    drill: s.drill ?? false,
    components: ['api'],
    message: {
      subject: `SECURITY BREACH ${s.incidentId}: isolating ${s.apiStages.length} API stage(s), rotating ${s.rotateSecrets.length} secret(s), signing out ${s.userPools.length} pool(s)`,
      body: [
        `Reason: ${s.reason}.`,
        `API stages cut to rate 0 / burst 0: ${s.apiStages.join(', ')}.`,
        `Secrets rotated: ${s.rotateSecrets.join(', ')}.`,
        `User pools signed out: ${s.userPools.join(', ')}.`,
        'Access comes back with `drkit runbook run security-breach-restore-access --param fromExecution=<this execution>` once the investigation clears it.',
      ].join('\n'),
      severity: 'critical',
    },
  });
  return {
    id: 'declare',
    title: 'Declare the incident (SEV1 unless overridden)',
    retry: { attempts: 3 },
    plan: (ctx) => planDeclare(deps.incidents, deps.notifier, request(ctx)),
    run: async (ctx) => await declare(deps.incidents, deps.notifier, request(ctx)),
  };
}
