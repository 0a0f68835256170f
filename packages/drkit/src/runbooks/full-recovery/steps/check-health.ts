import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { probeAppliedConfig } from '../../shared/freeze-confirmation.js';
import type { FullRecoveryDeps, FullRecoveryState, HealthRecord } from '../context.js';

/**
 * Seed 003's "Verify service health": the front door's `/healthz` answers 200 from the
 * restored cluster, and so does every app task (each one's applied config names it): no part
 * of the service still reads the old database.
 */
export function checkHealth(deps: FullRecoveryDeps): Step<FullRecoveryState> {
  return {
    id: 'check-health',
    title: 'Verify service health (front door and every task on the restored cluster)',
    retry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 2000, retryAll: true },
    plan: ({ state: s }) => [
      `GET ${s.frontDoorUrl}/healthz: 200 with cluster '${s.restoredClusterId ?? s.newClusterId}'`,
      ...(deps.appTasks
        ? [
            `GET /healthz of every app task (${deps.appTasks.kind}): config.dbClusterId '${s.restoredClusterId ?? s.newClusterId}'`,
          ]
        : []),
    ],
    async run({ state: s, progress }) {
      const want = s.restoredClusterId;
      if (!want) throw new PreconditionError('no restored cluster recorded');
      const serving: HealthRecord[] = [];
      const r = await fetch(`${s.frontDoorUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
      const body = (await r.json().catch(() => ({}))) as { cluster?: string };
      if (r.status !== 200 || body.cluster !== want)
        throw new Error(
          `the front door's /healthz says HTTP ${r.status}, cluster ${body.cluster ?? 'none'} (want 200 from '${want}')`,
        );
      serving.push({ what: 'front door', cluster: body.cluster });
      for (const t of (await deps.appTasks?.list()) ?? []) {
        const rep = await probeAppliedConfig(t.address);
        if (rep?.dbClusterId !== want)
          throw new Error(
            `task ${t.id} reads from ${rep?.dbClusterId ?? 'nothing (no answer)'}, not '${want}'`,
          );
        serving.push({ what: `task ${t.id}`, cluster: want });
      }
      progress(`${serving.map((x) => x.what).join(', ')} healthy on '${want}'`);
      return { health: { checkedAt: new Date().toISOString(), serving } };
    },
  };
}
