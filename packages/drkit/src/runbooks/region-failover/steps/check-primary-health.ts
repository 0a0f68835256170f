import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { RegionDeps, RegionState } from '../context.js';

/**
 * CheckPrimaryHealth: is the source region really down? Its database must answer and one of
 * its app tasks pass `/healthz` for it to count as healthy; a healthy region is not failed
 * over without `force` (a false alarm would cost the writes in flight and a cutback).
 */
export function checkPrimaryHealth(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'check-primary-health',
    title: 'CheckPrimaryHealth: confirm the source region is down',
    plan: async (ctx) => [
      ...(deps.sourceHealth && deps.planSourceHealth
        ? await deps.planSourceHealth(ctx.state)
        : [
            `router(${deps.router.kind}) status (the front door must answer)`,
            `database(${deps.database.kind}) describe ${ctx.state.fromCluster}; SELECT 1 on it`,
            `compute(${deps.compute.kind}) tasks ${ctx.state.fromRegion}: GET /healthz of each`,
          ]),
      `refuse unless down${ctx.state.force ? ' (force given: proceed anyway)' : ' (pass --force, or --param force=true with `runbook run`, to fail over a healthy region)'}`,
    ],
    async run(ctx) {
      const s = ctx.state;
      // The front door must answer before anything changes: a failover that cannot flip
      // routing would leave the database moved and the traffic not.
      await deps.router.status();
      if (deps.sourceHealth) {
        const h = await deps.sourceHealth(s);
        ctx.progress(h.detail);
        if (h.healthy && !s.force) {
          throw new PreconditionError(
            `region ${s.fromRegion} is healthy (${h.detail}): refusing to fail over`,
            {
              hint: 'a planned move is a switchover (`drkit switchover`); to fail over a healthy region anyway pass --force to `drkit failover`, or --param force=true to `drkit runbook run rb-n-01`',
              details: { fromRegion: s.fromRegion },
            },
          );
        }
        return { sourceHealthy: h.healthy, healthDetail: h.detail };
      }
      let dbUp = false;
      try {
        const d = await deps.database.describe(s.fromCluster);
        if (d.status === 'running') {
          const c = await deps.connect(d.endpoint);
          try {
            await c.query('SELECT 1');
            dbUp = true;
          } finally {
            await c.end().catch(() => undefined);
          }
        }
      } catch {
        dbUp = false;
      }
      const tasks = await deps.compute.tasks(s.fromRegion);
      const healthyTasks = tasks.filter((t) => t.healthy).length;
      const healthy = dbUp && healthyTasks > 0;
      const detail = `database ${s.fromCluster} ${dbUp ? 'answers' : 'does not answer'}; ${healthyTasks}/${tasks.length} app tasks healthy in ${s.fromRegion}`;
      ctx.progress(detail);
      if (healthy && !s.force) {
        throw new PreconditionError(
          `region ${s.fromRegion} is healthy (${detail}): refusing to fail over`,
          {
            hint: 'a planned move is a switchover (`drkit switchover`); to fail over a healthy region anyway pass --force to `drkit failover`, or --param force=true to `drkit runbook run rb-n-01`',
            details: { fromRegion: s.fromRegion, healthyTasks, dbUp },
          },
        );
      }
      return { sourceHealthy: healthy, healthDetail: detail };
    },
  };
}

/**
 * Decide: promote the standby when it is usable (running, in recovery), otherwise restore
 * from the latest backup — the seed's DecideAuroraOrStandard / PromoteReplica-or-Restore.
 */
export function decideRecovery(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'decide',
    title: 'Decide: promote the standby, or restore from the latest backup',
    plan: async (ctx) => [
      ...(await deps.database.planCheckStandby(ctx.state.toCluster)),
      `running standby → promote; else → restore '${ctx.state.fromCluster}' at latest into '${ctx.state.restoreClusterId ?? `${ctx.state.toCluster}-restored`}'`,
    ],
    async run(ctx) {
      const s = ctx.state;
      let reason: string;
      let usable = false;
      if (!deps.database.capabilities.has('promote'))
        reason = `${deps.database.kind} cannot promote`;
      else {
        try {
          const d = await deps.database.describe(s.toCluster);
          // `running` in the lab, `available` on RDS
          usable = (d.status === 'running' || d.status === 'available') && d.role === 'standby';
          reason = usable
            ? `standby ${s.toCluster} is running and in recovery`
            : `standby ${s.toCluster} is ${d.status}, role ${d.role}`;
        } catch (err) {
          reason = `standby ${s.toCluster} is unusable: ${(err as Error).message}`;
        }
      }
      ctx.progress(`${usable ? 'promote' : 'restore'}: ${reason}`);
      return { decision: usable ? 'promote' : 'restore', decisionReason: reason };
    },
  };
}
