import { DrError, NotFoundError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { ClusterInfo } from '../../../ports/database.js';
import { parseTarget, type PitrDeps, type PitrState } from '../context.js';
import { assertTargetInWindow } from './preflight.js';
import { decidePath } from './choose-path.js';

/**
 * Restores the source into a NEW cluster at the target time. Safe to run twice: a cluster of
 * the same id that is already up and promoted (the previous run finished the restore but died
 * before journaling it) is reused; a half-made one (the run died mid-restore) is left as it is
 * for inspection and the restore goes to the next free id (`<id>-2`, …).
 */
export function restoreToTime(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'restore-to-time',
    title: 'Restore a new cluster to the target time',
    timeoutMs: 60 * 60_000,
    async plan(ctx) {
      const req = {
        source: ctx.state.source,
        target: parseTarget(ctx.state.target),
        newClusterId: ctx.state.newClusterId,
      };
      // the backend's plan refuses an out-of-window target in its own words; the dry run then
      // also refuses what preflight would, read-only, whatever the backend checks
      const lines = await deps.database.planRestoreToTime(req);
      if (ctx.dryRun) await assertTargetInWindow(deps, req.source, req.target);
      const standbyId = ctx.state.restorePath
        ? ctx.state.delayedStandby?.id
        : (await decidePath(deps, ctx.state)).standby?.id;
      if (!standbyId || !deps.database.planRestoreFromDelayedStandby) return lines;
      return [
        ...(await deps.database.planRestoreFromDelayedStandby({ ...req, standbyId })),
        `if the delayed standby has replayed past the target by then (or is down): classic restore —`,
        ...lines,
      ];
    },
    async run(ctx) {
      const target = parseTarget(ctx.state.target);
      const abandoned: string[] = [...(ctx.state.abandonedClusters ?? [])];
      let fallbackReason: string | undefined;
      if (ctx.state.restorePath === 'delayed-standby' && ctx.state.delayedStandby) {
        const fast = await fastPath(deps, ctx.state, target, (m) => ctx.progress(m));
        if (!('fallback' in fast)) return { ...fast, abandonedClusters: abandoned };
        fallbackReason = fast.fallback;
        ctx.progress(`fast path refused: ${fallbackReason}; falling back to the classic restore`);
      }
      const fell = fallbackReason ? { restorePath: 'classic' as const, fallbackReason } : {};
      let id = ctx.state.newClusterId;
      for (let n = 2; ; n++) {
        const existing = await describeOrUndefined(deps, id);
        if (!existing) break;
        // `running` in the lab, `available` on RDS
        if (
          (existing.status === 'running' || existing.status === 'available') &&
          existing.role === 'primary' &&
          String(existing.details.restoredFrom ?? existing.details.origin ?? '').includes(
            ctx.state.source,
          )
        ) {
          ctx.progress(
            `cluster '${id}' already restored and promoted by an earlier attempt: reusing it`,
          );
          // The earlier attempt may have died before the restore's last phases (its own
          // stanza): re-establish every postcondition, not only the one we can see.
          if (deps.database.completeRestore) {
            ctx.progress(`re-establishing the restore's postconditions on '${id}'`);
            await deps.database.completeRestore(id);
          }
          return {
            restoredClusterId: id,
            restoredEndpoint: existing.endpoint,
            ...(typeof existing.details.arn === 'string'
              ? { restoredArn: existing.details.arn }
              : {}),
            abandonedClusters: abandoned,
            ...fell,
          };
        }
        ctx.progress(
          `cluster '${id}' exists but is not a finished restore (status ${existing.status}); leaving it for inspection`,
        );
        abandoned.push(id);
        id = `${ctx.state.newClusterId}-${n}`;
      }
      const res = await deps.database.restoreToTime({
        source: ctx.state.source,
        target,
        newClusterId: id,
        onProgress: (p) =>
          ctx.progress(`${p.phase}: ${p.message} (+${(p.elapsedMs / 1000).toFixed(1)} s)`),
      });
      return {
        restoredClusterId: res.cluster.id,
        restoredEndpoint: res.cluster.endpoint,
        ...(typeof res.cluster.details.arn === 'string'
          ? { restoredArn: res.cluster.details.arn }
          : {}),
        restoredTo: res.restoredTo.toISOString(),
        restoreDurationMs: res.durationMs,
        restorePhases: res.phases,
        abandonedClusters: abandoned,
        ...fell,
      };
    },
  };
}

/**
 * The delayed standby's fast path, or `{ fallback: reason }` when the adapter refused before
 * changing anything (it replayed past the target meanwhile, it is down, the source stopped).
 * The adapter completes a fast restore an earlier attempt left at any point (promoted or not).
 */
async function fastPath(
  deps: PitrDeps,
  s: PitrState,
  target: Date | 'latest',
  say: (m: string) => void,
): Promise<Partial<PitrState> | { fallback: string }> {
  try {
    const res = await deps.database.restoreFromDelayedStandby!({
      source: s.source,
      standbyId: s.delayedStandby!.id,
      target,
      newClusterId: s.newClusterId,
      onProgress: (p) => say(`${p.phase}: ${p.message} (+${(p.elapsedMs / 1000).toFixed(1)} s)`),
    });
    return {
      restoredClusterId: res.cluster.id,
      restoredEndpoint: res.cluster.endpoint,
      restoredTo: res.restoredTo.toISOString(),
      restoreDurationMs: res.durationMs,
      restorePhases: res.phases,
    };
  } catch (err) {
    if (err instanceof DrError && err.details?.fallback === true) return { fallback: err.message };
    throw err;
  }
}

async function describeOrUndefined(deps: PitrDeps, id: string): Promise<ClusterInfo | undefined> {
  try {
    return await deps.database.describe(id);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
