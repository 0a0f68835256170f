import { PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { DelayedStandbyStatus } from '../../../ports/database.js';
import { parseTarget, type PitrDeps, type PitrState, type RestorePath } from '../context.js';

/** The path RB-N-02 takes and why. */
export interface PathChoice {
  readonly path: RestorePath;
  readonly reason: string;
  readonly standby?: DelayedStandbyStatus;
}

/**
 * Picks the restore path (pure): the delayed standby when the target lies in its unapplied
 * window (last replayed commit ≤ target ≤ now) and it is healthy; else the classic restore,
 * with the reason.
 */
export function pickPath(
  target: Date | 'latest',
  mode: 'auto' | 'fast' | 'classic',
  standbys: readonly DelayedStandbyStatus[] | string,
): PathChoice {
  const classic = (reason: string): PathChoice => ({ path: 'classic', reason });
  if (mode === 'classic') return classic('path=classic requested');
  if (typeof standbys === 'string') return classic(standbys);
  if (target === 'latest')
    return classic(
      "target is 'latest': a delayed standby serves a time in its unapplied window only",
    );
  if (standbys.length === 0) return classic('no delayed standby of the source');
  const reasons: string[] = [];
  for (const s of standbys) {
    if (!s.healthy || !s.window) {
      reasons.push(`delayed standby '${s.id}' is unusable: ${s.problem ?? 'unhealthy'}`);
      continue;
    }
    const t = target.getTime();
    if (t < s.window.earliest.getTime()) {
      reasons.push(
        `target ${target.toISOString()} is outside '${s.id}''s window: it already replayed up to ${s.window.earliest.toISOString()} (apply delay ${s.applyDelaySeconds} s)`,
      );
      continue;
    }
    return {
      path: 'delayed-standby',
      reason: `target ${target.toISOString()} lies in '${s.id}''s unapplied window (${s.window.earliest.toISOString()} … now, apply delay ${s.applyDelaySeconds} s): replay only from there instead of restoring the whole backup`,
      standby: s,
    };
  }
  return classic(reasons.join('; '));
}

/** Reads the world (only) and picks the path for the state's source and target. */
export async function decidePath(deps: PitrDeps, s: PitrState): Promise<PathChoice> {
  const db = deps.database;
  const standbys =
    db.capabilities.has('delayed-standby') && db.delayedStandbys
      ? await db.delayedStandbys(s.source)
      : `${db.kind} has no delayed standby (capability delayed-standby): the classic restore is the only path`;
  return pickPath(parseTarget(s.target), s.path ?? 'auto', standbys);
}

/**
 * Chooses the restore path before anything changes, and journals which and why. With
 * `path=fast` and no usable delayed standby, refuses (nothing changed).
 */
export function choosePath(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'choose-path',
    title: 'Choose the restore path: delayed standby (fast) or backup + WAL (classic)',
    async plan(ctx) {
      const c = await decidePath(deps, ctx.state);
      return [`path: ${c.path} — ${c.reason}`];
    },
    async run(ctx) {
      const c = await decidePath(deps, ctx.state);
      if (c.path === 'classic' && ctx.state.path === 'fast')
        throw new PreconditionError(`path=fast requested but: ${c.reason}`, {
          hint: 'use path=auto (falls back to the classic restore) or path=classic; nothing was changed',
        });
      ctx.progress(`path: ${c.path} — ${c.reason}`);
      return {
        restorePath: c.path,
        pathReason: c.reason,
        ...(c.standby
          ? {
              delayedStandby: {
                id: c.standby.id,
                applyDelaySeconds: c.standby.applyDelaySeconds,
                ...(c.standby.lastReplayedCommitAt
                  ? { lastReplayedCommitAt: c.standby.lastReplayedCommitAt.toISOString() }
                  : {}),
              },
            }
          : {}),
      };
    },
  };
}
