import type { Step } from '../../../engine/step.js';
import type { FunctionRollbackDeps, FunctionRollbackState } from '../context.js';

/**
 * Step 2 (destructive): points each alias at its rollback version alone. Idempotent: an alias
 * already there is left as it is (a resumed run moves only the rest).
 */
export function pointAliases(deps: FunctionRollbackDeps): Step<FunctionRollbackState> {
  const f = deps.functions;
  return {
    id: 'point-aliases',
    title: 'Point each alias at its rollback version',
    destructive: true,
    retry: { attempts: 3 },
    plan: ({ state: s }) =>
      s.moves
        ? s.moves.flatMap((m) => f.planPointAlias!(m.function, s.alias, m.to))
        : s.functions.flatMap((n) =>
            f.planPointAlias!(n, s.alias, s.version ?? '<the version resolved above>'),
          ),
    async run({ state: s, progress }) {
      const moved: string[] = [];
      for (const m of s.moves!) {
        const now = await f.getAlias!(m.function, s.alias);
        if (now.version === m.to && !now.additionalVersionWeights) {
          progress(`${m.function}:${s.alias} already at ${m.to}`);
          continue;
        }
        await f.pointAlias!(m.function, s.alias, m.to);
        moved.push(m.function);
        progress(`${m.function}:${s.alias} ${now.version} → ${m.to}`);
      }
      return { moved: [...new Set([...(s.moved ?? []), ...moved])] };
    },
  };
}
