import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import type { FunctionRollbackDeps, FunctionRollbackState } from '../context.js';

/**
 * Step 3: reads every alias back: it must route to its rollback version alone, and that
 * version's code must still be the code resolved in step 1 (a version is immutable: a different
 * hash means a different function or region than the one resolved).
 */
export function verifyAliases(deps: FunctionRollbackDeps): Step<FunctionRollbackState> {
  const f = deps.functions;
  return {
    id: 'verify-aliases',
    title: 'Verify each alias routes to its rollback version, code hash as resolved',
    plan: ({ state: s }) =>
      s.functions.map(
        (n) =>
          `lambda:GetAlias FunctionName=${n} Name=${s.alias} = the rollback version alone; its CodeSha256 as resolved`,
      ),
    async run({ state: s, progress }) {
      const wrong: string[] = [];
      for (const m of s.moves!) {
        const a = await f.getAlias!(m.function, s.alias);
        const v = (await f.listVersions!(m.function)).find((x) => x.version === a.version);
        if (a.version !== m.to || a.additionalVersionWeights)
          wrong.push(
            `${m.function}:${s.alias} routes to ${a.version}${a.additionalVersionWeights ? ` and ${JSON.stringify(a.additionalVersionWeights)}` : ''}, not ${m.to}`,
          );
        else if (v?.codeSha256 !== m.toCodeSha256)
          wrong.push(
            `${m.function} version ${m.to} has code ${v?.codeSha256 ?? '(none)'}, resolved ${m.toCodeSha256}`,
          );
        else progress(`${m.function}:${s.alias} = ${m.to} (code ${m.toCodeSha256.slice(0, 12)}…)`);
      }
      if (wrong.length)
        throw new ValidationFailedError(`rollback not in effect: ${wrong.join('; ')}`, {
          hint: 'someone moved the alias meanwhile, or the function was redeployed: inspect it, then resume',
        });
      return { verifiedAt: new Date().toISOString() };
    },
  };
}
