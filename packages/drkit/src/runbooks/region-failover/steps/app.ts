import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { assertAppPointsAt, pointAppAt } from '../../shared/app-endpoint.js';
import { freezeWrites as sharedFreeze } from '../../shared/steps/freeze-writes.js';
import { unfreezeWrites as sharedUnfreeze } from '../../shared/steps/unfreeze-writes.js';
import type { RegionDeps, RegionState } from '../context.js';

/** UpdateSecrets: points the app's DB endpoint at the new primary (apps reconnect by themselves). */
export function updateDbSecret(
  deps: RegionDeps,
  opts: { keepFrozen?: boolean } = {},
): Step<RegionState> {
  return {
    id: 'update-db-secret',
    title: 'Point the app config secret at the new primary',
    retry: { attempts: 3, baseDelayMs: 100 },
    async plan(ctx) {
      // read-only: the endpoint that will be written; the store names the fields it keeps
      const s = ctx.state;
      const cluster = s.newPrimary ?? s.toCluster;
      const endpoint =
        s.newEndpoint ??
        (await deps.database.describe(cluster).then(
          (d) => d.endpoint,
          () => undefined,
        ));
      return deps.secrets.planPut(s.appConfigSecret, {
        ...deps.appSecretFormat.planFields(cluster, endpoint),
        ...(opts.keepFrozen ? { global_readonly: true } : {}),
      });
    },
    async run(ctx) {
      const s = ctx.state;
      if (!s.newPrimary || !s.newEndpoint) throw new PreconditionError('no new primary recorded');
      await pointAppAt(deps.secrets, s.appConfigSecret, s.newPrimary, s.newEndpoint, {
        format: deps.appSecretFormat,
        ...(opts.keepFrozen ? { globalReadonly: true } : {}),
      });
      return { secretUpdatedAt: new Date().toISOString() };
    },
    async verify(ctx) {
      await assertAppPointsAt(
        deps.secrets,
        ctx.state.appConfigSecret,
        ctx.state.newPrimary,
        'new primary',
        { format: deps.appSecretFormat, host: ctx.state.newEndpoint?.host },
      );
    },
  };
}

/** ScaleSecondary: runs the target region's app at full size and waits until its tasks are healthy. */
export function scaleTargetRegion(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'scale-target-region',
    title: "Scale the target region's app tasks and wait for health",
    retry: { attempts: 3, baseDelayMs: 200 },
    timeoutMs: 60_000,
    plan: (ctx) => deps.compute.planScale(ctx.state.toRegion, ctx.state.targetTasks),
    async run(ctx) {
      const tasks = await deps.compute.scale(ctx.state.toRegion, ctx.state.targetTasks);
      return { scaledTasks: tasks.filter((t) => t.healthy).length };
    },
  };
}

/** Scales the source region to its kept size (cutback: B back to its warm task). */
export function scaleSourceRegion(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'scale-source-region',
    title: 'Scale the source region back to its standby size',
    when: (ctx) => ctx.state.sourceTasks !== undefined,
    plan: (ctx) => [
      `compute(${deps.compute.kind}) scale ${ctx.state.fromRegion} to ${ctx.state.sourceTasks}`,
    ],
    async run(ctx) {
      await deps.compute.scale(ctx.state.fromRegion, ctx.state.sourceTasks!);
    },
  };
}

/** FlipRoute53: the front door sends everything to the target region. */
export function flipRouting(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'flip-routing',
    title: 'Flip the front door to the target region',
    destructive: true,
    retry: { attempts: 3, baseDelayMs: 200 },
    plan: (ctx) => deps.router.planRouteTo(ctx.state.toRegion),
    async run(ctx) {
      const healthy = (await deps.compute.tasks(ctx.state.toRegion))
        .filter((t) => t.healthy)
        .map((t) => t.id);
      await deps.router.routeTo(ctx.state.toRegion, { assumeHealthy: healthy });
      return { routedAt: new Date().toISOString() };
    },
    async verify(ctx) {
      const st = await deps.router.status();
      const to = ctx.state.toRegion;
      const primaryRegion = st.targets.find((t) => !t.backup)?.region;
      // Routed away from the primary region: nothing outside `to` may stay in service.
      const leaked =
        to === primaryRegion
          ? []
          : st.targets.filter((t) => t.region !== to && t.admin !== 'maint');
      if (leaked.length)
        throw new Error(
          `targets still in service outside ${to}: ${leaked.map((t) => t.name).join(', ')}`,
        );
      if (st.activeRegion !== to)
        throw new Error(`front door serves ${st.activeRegion ?? 'nothing'}, not ${to}`);
    },
  };
}

/**
 * Freezes writes (`global_readonly=true`) and waits until every app task confirmed it
 * ({@link confirmFreeze}); without a way to reach the tasks, a fixed grace wait.
 */
export function freezeWrites(deps: RegionDeps): Step<RegionState> {
  return sharedFreeze<RegionState>(deps, { graceMs: (s) => s.freezeGraceMs ?? 300 });
}

/** Lifts the freeze, on the new primary only. */
export function unfreezeWrites(deps: RegionDeps): Step<RegionState> {
  return sharedUnfreeze<RegionState>(deps, { clusterOf: (s) => s.newPrimary, what: 'new primary' });
}
