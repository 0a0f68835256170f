import type { Runbook } from '../../engine/runbook.js';
import { defineRunbook, parseParams } from '../entry.js';
import { requireCapability } from '../shared/capability.js';
import { notifyStep } from '../shared/steps/notify.js';
import type { FunctionRollbackDeps, FunctionRollbackState } from './context.js';
import { FunctionRollbackParamsSchema } from './params.js';
import { pointAliases } from './steps/point-aliases.js';
import { resolveTargets } from './steps/resolve-targets.js';
import { verifyAliases } from './steps/verify-aliases.js';

export type { FunctionRollbackDeps, FunctionRollbackState, RollbackMove } from './context.js';
export { FunctionRollbackParamsSchema } from './params.js';

/** The rollback's id in journals and on the command line. */
export const FUNCTION_ROLLBACK_RUNBOOK_ID = 'function-rollback';
const TITLE = 'Function rollback (move the live alias back to a previous published version)';

/**
 * Seed 003's "Lambda rollback tested": a bad release of a function is undone by routing its
 * alias back to the previous published version (or a named one) — no redeploy, no code
 * upload. Resolve every move first (read-only), move the aliases (destructive), read them back
 * with the code hash, notify with the way forward again.
 */
export function createFunctionRollbackRunbook(
  deps: FunctionRollbackDeps,
): Runbook<FunctionRollbackState> {
  requireCapability(deps.functions, 'versions', 'list versions and move aliases: no rollback');
  return {
    id: FUNCTION_ROLLBACK_RUNBOOK_ID,
    title: TITLE,
    lockKey: (p) => `functions:${[...p.functions].sort().join(',')}:${p.alias}`,
    steps: [
      resolveTargets(deps),
      pointAliases(deps),
      verifyAliases(deps),
      notifyStep<FunctionRollbackState>(deps.notifier, {
        title: 'Notify the outcome',
        retry: { attempts: 3 },
        message: ({ state: s }) => ({
          subject: `Function rollback: ${s.functions.join(', ')} (${s.alias}) moved back`,
          body: (s.moves ?? [])
            .map(
              (m) =>
                `${m.function}:${s.alias} ${m.from} → ${m.to}; to go forward again: lambda:UpdateAlias FunctionName=${m.function} Name=${s.alias} FunctionVersion=${m.from}`,
            )
            .join('\n'),
          severity: 'warning',
        }),
      }),
    ],
  };
}

/** The rollback as `drkit runbook run function-rollback` runs it. */
export const functionRollback = defineRunbook({
  id: FUNCTION_ROLLBACK_RUNBOOK_ID,
  aliases: ['lambda-rollback'],
  title: TITLE,
  params: FunctionRollbackParamsSchema,
  paramNote: 'functions defaults to aws.dbFunctions.names in the config',
  needs: ['functions'],
  uses: ['notifier'],
  normalize(raw, { config, hint }): FunctionRollbackState {
    const names = config.aws.dbFunctions.names;
    return parseParams(
      FunctionRollbackParamsSchema,
      { ...(names.length ? { functions: names } : {}), ...raw },
      hint,
    );
  },
  create: (ports) =>
    createFunctionRollbackRunbook({
      functions: ports.functions,
      ...(ports.notifier ? { notifier: ports.notifier } : {}),
    }),
});
