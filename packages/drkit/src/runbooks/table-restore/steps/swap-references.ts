import { ValidationFailedError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { need, swapTargets, type TableRestoreDeps, type TableRestoreState } from '../context.js';

/**
 * Step 4 (destructive; seed: "swap environment variable/alias to new table"): points the
 * config secret's key and each function's env var at `newTable`. Other secret keys and env
 * vars are kept; the old values were journaled by preflight, so the swap can be reverted.
 * Compare-and-set: a reference already on `newTable` is left alone (safe to run twice).
 */
export function swapReferences(deps: TableRestoreDeps): Step<TableRestoreState> {
  return {
    id: 'swap-references',
    title: 'Point the app (config secret key, Lambda env var) at the new table',
    destructive: true,
    retry: { attempts: 3 },
    when: ({ state: s }) => swapTargets(s).length > 0,
    plan: ({ state: s }) => [
      ...(s.configSecret
        ? [
            `${deps.secrets?.kind ?? 'secrets'}: secretsmanager:GetSecretValue SecretId=${s.configSecret}, then PutSecretValue SecretId=${s.configSecret} SecretString={…other keys kept, "${s.configKey}": "${s.newTable}"}${prev(s.previousConfigValue)}`,
          ]
        : []),
      ...(s.functions ?? []).map(
        (f) =>
          `${deps.functions?.kind ?? 'functions'}: lambda:UpdateFunctionConfiguration FunctionName=${f} Environment.Variables={…current kept, ${s.envVar}=${s.newTable}}, then wait function-updated${prev(s.previousFunctionEnv?.[f])}`,
      ),
      ...(swapTargets(s).length === 0
        ? [
            'no configSecret or functions given: nothing to swap (point the app at the new table yourself)',
          ]
        : []),
    ],
    async run({ state: s }) {
      if (s.configSecret && s.configKey) {
        const secrets = need(deps.secrets, 'a secrets store');
        const cur = await secrets.get(s.configSecret);
        if (cur[s.configKey] !== s.newTable)
          await secrets.put(s.configSecret, { ...cur, [s.configKey]: s.newTable });
      }
      let changed: readonly string[] = [];
      if (s.functions?.length && s.envVar)
        changed = (
          await need(deps.functions, 'a functions adapter').updateEnvironment(s.functions, {
            [s.envVar]: s.newTable,
          })
        ).changed;
      return { swappedAt: new Date().toISOString(), swappedFunctions: [...changed] };
    },
    async verify({ state: s }) {
      const wrong: string[] = [];
      if (
        s.configSecret &&
        s.configKey &&
        (await need(deps.secrets, 'a secrets store').get(s.configSecret))[s.configKey] !==
          s.newTable
      )
        wrong.push(`secret ${s.configSecret}`);
      for (const f of s.functions ?? [])
        if (
          (await need(deps.functions, 'a functions adapter').getEnvironment(f))[s.envVar ?? ''] !==
          s.newTable
        )
          wrong.push(`lambda ${f}`);
      if (wrong.length > 0)
        throw new ValidationFailedError(
          `not pointing at ${s.newTable} after the swap: ${wrong.join(', ')}`,
          { retryable: true },
        );
    },
  };
}

function prev(v: string | null | undefined): string {
  return v === undefined ? '' : `  # was ${v ?? '(unset)'}`;
}
