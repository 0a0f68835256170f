import { NotFoundError, OutOfWindowError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { parseTarget, type PitrDeps, type PitrState } from '../context.js';

/**
 * Refuses a target outside the source's recoverable window (reads only; the dry run calls it
 * too, so it refuses what the run would).
 * @throws OutOfWindowError
 */
export async function assertTargetInWindow(
  deps: PitrDeps,
  source: string,
  target: Date | 'latest',
): Promise<void> {
  if (target === 'latest') return;
  const w = await deps.database.recoverableWindow(source);
  const t = target.getTime();
  // A NaN compares false with everything: it must be refused, never let through.
  if (Number.isNaN(t) || t < w.earliest.getTime() || t > w.latest.getTime()) {
    throw new OutOfWindowError(
      `target ${Number.isNaN(t) ? 'Invalid Date' : target.toISOString()} is outside the recoverable window of '${source}': ${w.earliest.toISOString()} … ${w.latest.toISOString()}`,
      {
        hint: 'pick a time inside the window, or `latest`; nothing was changed',
        details: { earliest: w.earliest.toISOString(), latest: w.latest.toISOString() },
      },
    );
  }
}

/**
 * Checks everything a bad input could get wrong BEFORE the incident is declared and writes are
 * frozen: the source exists, the target lies inside its recoverable window, the new cluster id
 * is free. A refused target then changes nothing at all. (The restore step checks again: the
 * window's end moves while the source runs.)
 */
export function preflight(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'preflight',
    title: 'Check the source, the target time and the new cluster id (changes nothing)',
    plan: (ctx) => [
      `${deps.database.kind}: describe '${ctx.state.source}'; recoverable window of '${ctx.state.source}' must contain ${ctx.state.target}; '${ctx.state.newClusterId}' must not exist`,
    ],
    async run(ctx) {
      await deps.database.describe(ctx.state.source); // NotFoundError for an unknown source
      await assertTargetInWindow(deps, ctx.state.source, parseTarget(ctx.state.target));
      // On a resume, a cluster of this id may be our own half-made restore: the restore step
      // decides about it. Only a fresh execution insists on a free id.
      if (!ctx.state.declaredAt) {
        try {
          await deps.database.describe(ctx.state.newClusterId);
          throw new PreconditionError(
            `a cluster named '${ctx.state.newClusterId}' already exists`,
            {
              hint: 'choose another --param newClusterId; nothing was changed',
            },
          );
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      return {};
    },
  };
}
