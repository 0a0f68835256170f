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
    plan: async ({ state: s }) => [
      ...(s.configSecret && s.configKey
        ? withPrev(
            (
              await need(deps.secrets, 'a secrets store').planPut(s.configSecret, {
                [s.configKey]: s.newTable,
              })
            ).map((l) => `${deps.secrets!.kind}: ${l}`),
            s.previousConfigValue,
          )
        : []),
      ...(s.functions?.length && s.envVar
        ? (s.functions ?? []).flatMap((f) => {
            const fns = need(deps.functions, 'a functions adapter');
            return withPrev(
              fns
                .planUpdateEnvironment([f], { [s.envVar!]: s.newTable })
                .map((l) => `${fns.kind}: ${l}`),
              s.previousFunctionEnv?.[f],
            );
          })
        : []),
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

/** The last line gets the value it replaces, when preflight recorded one. */
function withPrev(lines: string[], v: string | null | undefined): string[] {
  if (v === undefined || lines.length === 0) return lines;
  return [...lines.slice(0, -1), `${lines.at(-1)!}  # was ${v ?? '(unset)'}`];
}
