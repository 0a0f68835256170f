import { NotFoundError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { FunctionRollbackDeps, FunctionRollbackState, RollbackMove } from '../context.js';

/**
 * Step 1 (read-only): for every function, where its alias routes now and the published version
 * it goes back to (`version`, or the newest one older than the current). Every function is
 * resolved before any alias moves: an unknown function, alias or version fails the run with
 * nothing changed. Once resolved, the moves are kept: a resumed run never re-resolves against
 * aliases it already moved.
 */
export function resolveTargets(deps: FunctionRollbackDeps): Step<FunctionRollbackState> {
  const f = deps.functions;
  return {
    id: 'resolve-targets',
    title: 'Resolve each alias’s current and rollback versions',
    plan: ({ state: s }) =>
      s.functions.flatMap((n) => [
        `lambda:GetAlias FunctionName=${n} Name=${s.alias}`,
        `lambda:ListVersionsByFunction FunctionName=${n} (every page): rollback to ${s.version ?? 'the newest version older than the alias’s'}`,
      ]),
    async run({ state: s, progress }) {
      if (s.moves) return {};
      const moves: RollbackMove[] = [];
      for (const name of s.functions) {
        const current = await f.getAlias!(name, s.alias);
        const versions = await f.listVersions!(name);
        const to = s.version
          ? versions.find((v) => v.version === s.version)
          : versions.filter((v) => Number(v.version) < Number(current.version)).at(-1);
        if (!to) {
          const have = versions.map((v) => v.version).join(', ') || 'none';
          if (s.version)
            throw new NotFoundError(`${name} has no published version ${s.version}`, {
              hint: `published versions: ${have}; give one of them with --param version=N`,
            });
          throw new PreconditionError(
            `${name}:${s.alias} routes to version ${current.version}: no older published version to roll back to`,
            { hint: `published versions: ${have}` },
          );
        }
        moves.push({
          function: name,
          from: current.version,
          ...(current.additionalVersionWeights
            ? { fromWeights: current.additionalVersionWeights }
            : {}),
          to: to.version,
          toCodeSha256: to.codeSha256,
        });
        progress(`${name}:${s.alias} ${current.version} → ${to.version}`);
      }
      return { moves };
    },
  };
}
