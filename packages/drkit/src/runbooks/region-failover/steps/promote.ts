import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { planIfCapable, requireCapability } from '../../shared/capability.js';
import type { RegionDeps, RegionState } from '../context.js';

/**
 * Fences the old primary so it can never take writes again: stopped when reachable, and
 * marked so a restart comes up read-only and drkit refuses to start it. Before promotion: two
 * writable primaries must never exist at once.
 */
export function fenceOldPrimary(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'fence-old-primary',
    title: 'Fence the old primary (stop it if reachable; read-only and unstartable)',
    destructive: true,
    async plan(ctx) {
      const db = deps.database;
      if (db.capabilities.has('fence')) return db.planFence!(ctx.state.fromCluster);
      // no fence: a stop, best effort (see run)
      const lines = await db.planStop(ctx.state.fromCluster);
      const note = 'an unreachable region is noted and the failover goes on';
      return lines.map((l, i) =>
        i < lines.length - 1 ? l : l.includes('  # ') ? `${l}; ${note}` : `${l}  # ${note}`,
      );
    },
    async run(ctx) {
      const s = ctx.state;
      const reason = `RB-N-01 ${ctx.executionId}: failed over to ${s.toRegion}`;
      if (deps.database.capabilities.has('fence')) {
        const r = await deps.database.fence!(s.fromCluster, reason);
        return { fencedAt: new Date().toISOString(), fenceWasRunning: r.wasRunning };
      }
      // unreachable is the usual case in a regional outage: the fence is best effort there
      let stopped = false;
      try {
        await deps.database.stop(s.fromCluster);
        stopped = true;
      } catch (err) {
        ctx.progress(
          `could not stop ${s.fromCluster} (${(err as Error).message}): continuing, it is unreachable or already down`,
        );
      }
      return { fencedAt: new Date().toISOString(), fenceWasRunning: stopped };
    },
  };
}

/** Promotes region B's standby; resolves when it accepts writes. */
export function promoteStandby(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'promote-standby',
    title: 'Promote the standby to primary',
    destructive: true,
    timeoutMs: 90_000,
    when: (ctx) =>
      ctx.state.decision === undefined
        ? (() => {
            throw new Error('decided at run time');
          })()
        : ctx.state.decision === 'promote',
    plan: (ctx) =>
      planIfCapable(deps.database, 'promote', 'promote a standby', () =>
        deps.database.planPromote!(ctx.state.toCluster),
      ),
    async run(ctx) {
      requireCapability(deps.database, 'promote', 'promote a standby');
      const started = new Date();
      const r = await deps.database.promote!(ctx.state.toCluster);
      const d = await deps.database.describe(ctx.state.toCluster);
      if (d.role !== 'primary')
        throw new PreconditionError(`${ctx.state.toCluster} is still ${d.role} after promotion`);
      return {
        newPrimary: ctx.state.toCluster,
        newEndpoint: d.endpoint,
        promotedAt: started.toISOString(),
        promotionMs: r.durationMs,
      };
    },
  };
}

/** The fallback when no standby is usable: a new primary restored from the latest backup. */
export function restoreLatestBackup(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'restore-latest-backup',
    title: 'Restore a new primary from the latest backup (no usable standby)',
    destructive: true,
    timeoutMs: 30 * 60_000,
    when: (ctx) =>
      ctx.state.decision === undefined
        ? (() => {
            throw new Error('decided at run time');
          })()
        : ctx.state.decision === 'restore',
    plan: (ctx) => [
      `database(${deps.database.kind}) restoreToTime source=${ctx.state.fromCluster} target=latest new=${ctx.state.restoreClusterId ?? `${ctx.state.toCluster}-restored`}`,
    ],
    async run(ctx) {
      const s = ctx.state;
      const id = s.restoreClusterId ?? `${s.toCluster}-restored`;
      const started = new Date();
      // Idempotent: a run interrupted after the restore finds the cluster already there.
      const existing = await deps.database.describe(id).catch(() => undefined);
      const cluster =
        existing ??
        (
          await deps.database.restoreToTime({
            source: s.fromCluster,
            target: 'latest',
            newClusterId: id,
            onProgress: (p) => ctx.progress(`${p.phase}: ${p.message}`),
          })
        ).cluster;
      return {
        newPrimary: id,
        newEndpoint: cluster.endpoint,
        promotedAt: started.toISOString(),
        promotionMs: Date.now() - started.getTime(),
      };
    },
  };
}
