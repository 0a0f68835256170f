import {
  CapabilityError,
  NotFoundError,
  OutOfWindowError,
  PreconditionError,
} from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  need,
  restoreTarget,
  settingsOf,
  type TableRestoreDeps,
  type TableRestoreState,
} from '../context.js';

/**
 * Step 1 (read-only): refuses every bad input before anything changes — a malformed or future
 * target, an unknown table, PITR off, a target outside the window, a global table without
 * `force`, a taken `newTable`, a missing swap target — and records the source's settings and
 * what the swap targets hold now (the way back). `plan()` runs the same checks, so a dry run
 * refuses what the real run would.
 */
export function preflight(deps: TableRestoreDeps): Step<TableRestoreState> {
  return {
    id: 'preflight',
    title:
      'Check the source table, the target time, the new table name and the swap targets (changes nothing)',
    retry: { attempts: 3 },
    plan: async ({ state: s }) => (await inspect(deps, s)).lines,
    run: async ({ state: s }) => (await inspect(deps, s)).found,
  };
}

async function inspect(
  deps: TableRestoreDeps,
  s: TableRestoreState,
): Promise<{ lines: string[]; found: Partial<TableRestoreState> }> {
  const kv = deps.keyValue;
  const target = restoreTarget(s);
  for (const cap of ['pitr', ...(s.archive ? (['backups'] as const) : [])] as const) {
    if (!kv.capabilities.has(cap))
      throw new CapabilityError(`key-value store ${kv.kind} cannot do ${cap}`, {
        hint: 'bind an adapter that declares it (aws-dynamodb does)',
      });
  }
  const src = await kv.describeTable(s.table).catch((e: unknown) => {
    if (!(e instanceof NotFoundError)) throw e;
    throw new NotFoundError(`source table '${s.table}' not found (${kv.kind})`, {
      hint: 'check --param table=<name> and the region (aws.regionA); nothing was changed',
      cause: e,
    });
  });
  if (!src.pitr) {
    throw new PreconditionError(
      `point-in-time recovery is off on '${s.table}': there is no history to restore from`,
      {
        hint: 'only an on-demand backup can bring it back (RestoreTableFromBackup, not automated here); turn PITR on so RB-N-05 works next time. Nothing was changed',
      },
    );
  }
  const w = src.window;
  if (target !== 'latest' && w && (target < w.earliest || target > w.latest)) {
    throw new OutOfWindowError(
      `target ${target.toISOString()} is outside the recoverable window of '${s.table}': ${w.earliest.toISOString()} .. ${w.latest.toISOString()}`,
      {
        hint: 'pick a time inside the window, or target=latest; nothing was changed',
        details: { earliest: w.earliest.toISOString(), latest: w.latest.toISOString() },
      },
    );
  }
  if (src.replicas?.length && !s.force) {
    throw new PreconditionError(
      `'${s.table}' is a global table (replicas in ${src.replicas.join(', ')}): the seed says flip the app to a replica, no restore needed`,
      {
        hint: 'that helps only when the damage is regional; corruption or a bad deploy has replicated to every replica, so pass --param force=true to restore into a new single-region table (re-add replicas afterwards). Nothing was changed',
      },
    );
  }
  const taken = await kv.describeTable(s.newTable).then(
    () => true,
    (e: unknown) => (e instanceof NotFoundError ? false : Promise.reject(e)),
  );
  if (taken)
    throw new PreconditionError(`a table named '${s.newTable}' already exists`, {
      hint: 'choose another --param newTable; nothing was changed',
    });

  const settings = settingsOf(src);
  const describe = (name: string) =>
    (kv.planDescribeTable?.(name) ?? [`describeTable ${name}`]).map((l) => `${kv.kind}: ${l}`);
  const lines = [
    ...describe(s.table),
    `  found: ${src.status}, ${src.itemCount} items, PITR on${w ? ` (window ${w.earliest.toISOString()} .. ${w.latest.toISOString()})` : ''}, TTL ${settings.ttlAttribute ?? 'off'}, stream ${settings.streamViewType ?? 'off'}, tags ${
      Object.entries(settings.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '(none)'
    }`,
    `  target ${target === 'latest' ? 'latest (UseLatestRestorableTime)' : `${target.toISOString()}: inside the window`}`,
    ...(src.replicas?.length
      ? [
          `  global table (replicas in ${src.replicas.join(', ')}): restoring anyway (force=true); the new table has no replicas`,
        ]
      : []),
    ...describe(s.newTable).map((l) => `${l}: free`),
  ];
  const found: Partial<TableRestoreState> = {
    sourceArn: src.arn,
    sourceItemCount: src.itemCount,
    sourceSettings: settings,
    ...(w
      ? { sourceWindow: { earliest: w.earliest.toISOString(), latest: w.latest.toISOString() } }
      : {}),
    newTableFreeAt: new Date().toISOString(),
    ...(src.replicas?.length ? { replicas: [...src.replicas] } : {}),
  };
  if (s.configSecret && s.configKey) {
    const secrets = need(deps.secrets, 'a secrets store');
    const v = (await secrets.get(s.configSecret))[s.configKey];
    if (v !== undefined && typeof v !== 'string')
      throw new PreconditionError(
        `secret ${s.configSecret} key ${s.configKey} is not a string (a table name)`,
        { hint: 'check --param configKey' },
      );
    found.previousConfigValue = v ?? null;
    lines.push(
      `${secrets.kind}: ${secrets.planGet(s.configSecret).join('; ')}: ${s.configKey}=${v ?? '(unset)'}`,
    );
  }
  if (s.functions?.length && s.envVar) {
    const fns = need(deps.functions, 'a functions adapter');
    const env: Record<string, string | null> = {};
    for (const f of s.functions) env[f] = (await fns.getEnvironment(f))[s.envVar] ?? null;
    found.previousFunctionEnv = env;
    for (const f of s.functions)
      lines.push(
        `${fns.kind}: ${fns.planGetEnvironment(f).join('; ')}: ${s.envVar}=${env[f] ?? '(unset)'}`,
      );
  }
  return { lines, found };
}
