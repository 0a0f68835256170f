import type { z } from 'zod';
import { parseRestoreTarget } from '../adapters/postgres/restore-target.js';
import { CapabilityError, UsageError } from '../engine/errors.js';
import type { Runbook } from '../engine/runbook.js';
import type { Cdn } from '../ports/cdn.js';
import type { ObjectStore } from '../ports/object-store.js';
import {
  createPitrRunbook,
  PitrParamsSchema,
  PITR_RUNBOOK_ID,
  type PitrDeps,
  type PitrState,
} from './pitr-restore/index.js';
import type { RegionDeps, RegionParams } from './region-failover/context.js';
import {
  createRegionFailoverRunbook,
  REGION_FAILOVER_RUNBOOK_ID,
} from './region-failover/index.js';
import { RegionFailoverParamsSchema } from './region-failover/params.js';
import { createCutbackRunbook, CUTBACK_RUNBOOK_ID } from './cutback/index.js';
import { createSwitchoverRunbook, SWITCHOVER_RUNBOOK_ID } from './switchover/index.js';
import { restorePoint } from './s3-restore/context.js';
import {
  createS3RestoreRunbook,
  S3RestoreParamsSchema,
  S3_RESTORE_RUNBOOK_ID,
  type S3RestoreParams,
} from './s3-restore/index.js';
import {
  createRestoreAccessRunbook,
  createSecurityBreachRunbook,
  previousThrottlesFromJournal,
  RestoreAccessParamsSchema,
  RESTORE_ACCESS_RUNBOOK_ID,
  SecurityBreachParamsSchema,
  SECURITY_BREACH_RUNBOOK_ID,
  type SecurityBreachDeps,
  type SecurityBreachParams,
} from './security-breach/index.js';
import {
  createTableRestoreRunbook,
  restoreTarget,
  TableRestoreParamsSchema,
  TABLE_RESTORE_RUNBOOK_ID,
  withGeneratedNames,
  type TableRestoreDeps,
  type TableRestoreParams,
} from './table-restore/index.js';

/**
 * The ports a provider (`lab` or `aws`) binds for the CLI's runbooks: runbooks are created from
 * this bundle only, so the same runbook runs on either provider.
 */
export interface RunbookPorts extends Omit<PitrDeps, 'planRestore'> {
  /** Which provider bound these ports. */
  readonly provider: 'lab' | 'aws';
  /** The database's own restore plan (exact commands or API calls), when it can tell. */
  readonly planRestore?: PitrDeps['planRestore'];
  /**
   * The object store RB-N-03 restores. A function so that a provider without one fails only
   * when a runbook needs it. @throws CapabilityError when the provider has none
   */
  readonly objectStore: () => ObjectStore;
  /** The CDN RB-N-03 purges. @default none (the invalidate step is skipped) */
  readonly cdn?: Cdn;
  /**
   * The region runbooks' ports and config defaults (RB-N-01). A function so that a provider
   * without them, or with keys missing, fails only when a region runbook runs.
   * @throws UsageError naming the missing config keys; CapabilityError when the provider has none
   */
  readonly regions?: () => {
    readonly deps: RegionDeps;
    readonly defaults: Partial<RegionParams> | Promise<Partial<RegionParams>>;
  };
  /** Distribution purged when RB-N-03 gets no `distributionId` param (config `aws.cdnDistributionId`). */
  readonly defaultDistributionId?: string;
  /** The app's endpoint secret when RB-N-02 gets no `appConfigSecret` param (AWS: `aws.dbEndpointSecret`). @default 'drkit/app' */
  readonly defaultAppConfigSecret?: string;
  /**
   * The security-breach runbooks' ports, config defaults (`aws.breach`) and the journal
   * directory the way back reads the breach run's recorded limits from. A function so that a
   * provider without them fails only when those runbooks run.
   * @throws CapabilityError when the provider has none
   */
  readonly breach?: () => {
    readonly deps: SecurityBreachDeps;
    readonly defaults: Partial<SecurityBreachParams>;
    readonly journalDir: string;
  };
  /**
   * RB-N-05's ports (DynamoDB, the config secret, Lambda) and config defaults (`aws.dynamodb`).
   * A function so that a provider without them fails only when RB-N-05 runs.
   * @throws CapabilityError when the provider has none
   */
  readonly tables?: () => {
    readonly deps: TableRestoreDeps;
    readonly defaults: Partial<TableRestoreParams>;
  };
}

/** A runbook the CLI can run by name. */
export interface RunbookEntry {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly params: z.ZodType;
  /** Validates and completes raw `--param` values into the runbook's initial state. */
  normalize(
    raw: Record<string, unknown>,
    ports?: Pick<
      RunbookPorts,
      'defaultDistributionId' | 'defaultAppConfigSecret' | 'regions' | 'breach' | 'tables'
    > &
      Partial<Pick<RunbookPorts, 'provider'>>,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
  create(ports: RunbookPorts): Runbook<Record<string, unknown>>;
}

function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

function parseOrUsage<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, hint: string): T {
  const res = schema.safeParse(raw);
  if (!res.success) {
    const i = res.error.issues[0]!;
    throw new UsageError(`--param ${i.path.join('.') || '(params)'}: ${i.message}`, { hint });
  }
  return res.data;
}

const pitr: RunbookEntry = {
  id: PITR_RUNBOOK_ID,
  aliases: ['pitr', 'pitr-restore'],
  title: 'RB-N-02 point-in-time restore (logical corruption)',
  params: PitrParamsSchema,
  normalize(raw, ports) {
    const p = parseOrUsage(
      PitrParamsSchema,
      {
        ...(ports?.defaultAppConfigSecret ? { appConfigSecret: ports.defaultAppConfigSecret } : {}),
        ...raw,
      },
      'rb-n-02 takes --param source=<cluster> --param target=<ISO-8601 with zone|latest> [--param newClusterId=<id>] [--param expectedChecksums=<file>] [--param appConfigSecret=<secret>]',
    );
    const target = parseRestoreTarget(p.target); // refuses malformed timestamps before anything runs
    const state: PitrState = {
      ...p,
      target: target === 'latest' ? target : target.toISOString(), // parsed once: steps read UTC ISO
      newClusterId: p.newClusterId ?? `dr-${p.source}-${utcStamp()}`,
    };
    return state as unknown as Record<string, unknown>;
  },
  create(p) {
    return createPitrRunbook({
      database: p.database,
      secrets: p.secrets,
      notifier: p.notifier,
      connect: p.connect,
      ...(p.planRestore ? { planRestore: p.planRestore } : {}),
      ...(p.appSecretFormat ? { appSecretFormat: p.appSecretFormat } : {}),
      ...(p.functions ? { functions: p.functions } : {}),
    }) as unknown as Runbook<Record<string, unknown>>;
  },
};

const s3Restore: RunbookEntry = {
  id: S3_RESTORE_RUNBOOK_ID,
  aliases: ['s3-restore', 's3-undelete'],
  title: 'RB-N-03 S3 undelete/restore (versioned buckets)',
  params: S3RestoreParamsSchema,
  normalize(raw, ports) {
    const p: S3RestoreParams = parseOrUsage(
      S3RestoreParamsSchema,
      raw,
      'rb-n-03 takes --param bucket=<bucket> [--param prefix=<prefix>] and one of --param at=<ISO-8601 with zone> or --param manifest=<key,versionId CSV>; [--param distributionId=<id>]',
    );
    if (p.at !== undefined) restorePoint(p); // refuses a malformed or future time before anything runs
    const distributionId = p.distributionId ?? ports?.defaultDistributionId;
    return { ...p, ...(distributionId ? { distributionId } : {}) };
  },
  create(p) {
    return createS3RestoreRunbook({
      store: p.objectStore(),
      ...(p.cdn ? { cdn: p.cdn } : {}),
      notifier: p.notifier,
    }) as unknown as Runbook<Record<string, unknown>>;
  },
};

type OptionalBindings = 'regions' | 'breach' | 'tables';
const NOT_BOUND: Record<OptionalBindings, { what: string; hint: string }> = {
  regions: {
    what: 'the region runbooks',
    hint: 'run RB-N-01, the switchover and RB-N-08 with --provider aws or --provider lab',
  },
  breach: {
    what: 'the security-breach runbooks',
    hint: 'run them with --provider aws (or --provider lab with aws.endpoint set to a moto server)',
  },
  tables: {
    what: 'DynamoDB for RB-N-05',
    hint: 'run it with --provider aws (or --provider lab with aws.endpoint set to a moto server)',
  },
};

/** A binding only some providers have. @throws CapabilityError naming what is missing */
function bindingOf<K extends OptionalBindings>(
  ports: Partial<Pick<RunbookPorts, K | 'provider'>> | undefined,
  key: K,
): NonNullable<RunbookPorts[K]> {
  const b = ports?.[key] as RunbookPorts[K] | undefined;
  if (!b)
    throw new CapabilityError(
      `the ${ports?.provider ?? 'current'} provider does not bind ${NOT_BOUND[key].what}`,
      { hint: NOT_BOUND[key].hint },
    );
  return b as NonNullable<RunbookPorts[K]>;
}
const regionsOf = (ports: Partial<Pick<RunbookPorts, 'regions' | 'provider'>> | undefined) =>
  bindingOf(ports, 'regions');
const breachOf = (ports: Partial<Pick<RunbookPorts, 'breach' | 'provider'>> | undefined) =>
  bindingOf(ports, 'breach');
const tablesOf = (ports: Partial<Pick<RunbookPorts, 'tables' | 'provider'>> | undefined) =>
  bindingOf(ports, 'tables');

/**
 * The region runbooks' parameters: the provider's topology (the direction: away from the
 * region that writes now), then `reason` when given, then `--param` values.
 */
async function regionMoveParams(
  raw: Record<string, unknown>,
  ports: Parameters<RunbookEntry['normalize']>[1],
  hint: string,
  reason?: string,
): Promise<Record<string, unknown>> {
  const p = parseOrUsage(
    RegionFailoverParamsSchema,
    { ...(await regionsOf(ports)().defaults), ...(reason ? { reason } : {}), ...raw },
    hint,
  );
  return { ...p } as Record<string, unknown>;
}

const regionFailover: RunbookEntry = {
  id: REGION_FAILOVER_RUNBOOK_ID,
  aliases: ['region-failover'],
  title: 'RB-N-01 regional failover (unplanned)',
  params: RegionFailoverParamsSchema,
  normalize: (raw, ports) =>
    regionMoveParams(
      raw,
      ports,
      'rb-n-01 takes its regions, clusters and secret from config; [--param force=true] [--param targetTasks=<n>] [--param reason=<text>]',
    ),
  create(p) {
    return createRegionFailoverRunbook(regionsOf(p)().deps) as unknown as Runbook<
      Record<string, unknown>
    >;
  },
};

const plannedHint = (id: string) =>
  `${id} takes its regions and clusters from the provider (the direction: away from the region that writes now); [--param targetTasks=<n>] [--param sourceTasks=<n>] [--param reason=<text>]`;

const switchover: RunbookEntry = {
  id: SWITCHOVER_RUNBOOK_ID,
  aliases: ['planned-switchover'],
  title: 'Planned switchover (RPO 0)',
  params: RegionFailoverParamsSchema,
  normalize: (raw, ports) =>
    regionMoveParams(raw, ports, plannedHint(SWITCHOVER_RUNBOOK_ID), 'planned switchover'),
  create(p) {
    return createSwitchoverRunbook(regionsOf(p)().deps) as unknown as Runbook<
      Record<string, unknown>
    >;
  },
};

const cutback: RunbookEntry = {
  id: CUTBACK_RUNBOOK_ID,
  aliases: ['cutback', 'failback'],
  title: 'RB-N-08 cutback to the primary region (RPO 0)',
  params: RegionFailoverParamsSchema,
  normalize: (raw, ports) =>
    regionMoveParams(raw, ports, plannedHint(CUTBACK_RUNBOOK_ID), 'cutback after failover'),
  create(p) {
    return createCutbackRunbook(regionsOf(p)().deps) as unknown as Runbook<Record<string, unknown>>;
  },
};

const securityBreach: RunbookEntry = {
  id: SECURITY_BREACH_RUNBOOK_ID,
  aliases: ['sb'],
  title: 'Security breach: isolate the API, rotate credentials, sign everyone out',
  params: SecurityBreachParamsSchema,
  normalize(raw, ports) {
    const p = parseOrUsage(
      SecurityBreachParamsSchema,
      { incidentId: `SEC-${utcStamp()}`, ...breachOf(ports)().defaults, ...raw },
      'security-breach takes --param apiStages=<apiId/stage,…> --param rotateSecrets=<name,…> --param userPools=<poolId,…> (or aws.breach in the config) [--param incidentId=<id>] [--param reason=<text>] [--param rotationLambdaArn=<arn>]',
    );
    return { ...p } as Record<string, unknown>;
  },
  create(p) {
    return createSecurityBreachRunbook(breachOf(p)().deps) as unknown as Runbook<
      Record<string, unknown>
    >;
  },
};

const restoreAccess: RunbookEntry = {
  id: RESTORE_ACCESS_RUNBOOK_ID,
  aliases: ['sb-restore-access'],
  title: 'Security breach, way back: restore the API stages’ previous limits',
  params: RestoreAccessParamsSchema,
  async normalize(raw, ports) {
    const hint =
      'security-breach-restore-access takes --param fromExecution=<security-breach execution id> or --param throttles=<apiId/stage=rate:burst,…>; [--param defaultLimits=<rate>:<burst>]';
    // the limits come from the breach run's journal: what it read before cutting, not what
    // someone remembers; explicit `throttles` win (e.g. after a journal was lost)
    let fromJournal: Record<string, unknown> = {};
    if (typeof raw.fromExecution === 'string' && raw.throttles === undefined) {
      const r = previousThrottlesFromJournal(breachOf(ports)().journalDir, raw.fromExecution);
      fromJournal = {
        throttles: r.throttles,
        ...(r.incidentId ? { incidentId: r.incidentId } : {}),
      };
    }
    return {
      ...parseOrUsage(RestoreAccessParamsSchema, { ...fromJournal, ...raw }, hint),
    } as Record<string, unknown>;
  },
  create(p) {
    return createRestoreAccessRunbook(breachOf(p)().deps) as unknown as Runbook<
      Record<string, unknown>
    >;
  },
};

const tableRestore: RunbookEntry = {
  id: TABLE_RESTORE_RUNBOOK_ID,
  aliases: ['table-restore', 'dynamodb-restore'],
  title: 'RB-N-05 DynamoDB table restore (PITR into a new table, swap, archive)',
  params: TableRestoreParamsSchema,
  normalize(raw, ports) {
    const p = parseOrUsage(
      TableRestoreParamsSchema,
      { ...tablesOf(ports)().defaults, ...raw },
      'rb-n-05 takes --param table=<name> [--param target=latest|<ISO-8601 with zone>] [--param newTable=<name>] [--param configSecret=<secret> --param configKey=<key>] [--param functions=<fn,…> --param envVar=<VAR>] [--param archive=false] [--param force=true]',
    );
    restoreTarget(p); // refuses a malformed or future target before anything runs
    return { ...withGeneratedNames(p) } as Record<string, unknown>;
  },
  create(p) {
    return createTableRestoreRunbook(tablesOf(p)().deps) as unknown as Runbook<
      Record<string, unknown>
    >;
  },
};

/** Every runbook, listed explicitly. */
export const RUNBOOKS: readonly RunbookEntry[] = [
  pitr,
  s3Restore,
  regionFailover,
  switchover,
  cutback,
  securityBreach,
  restoreAccess,
  tableRestore,
];

/** Finds a runbook by id or alias. @throws UsageError */
export function findRunbook(name: string): RunbookEntry {
  const e = RUNBOOKS.find((r) => r.id === name || r.aliases.includes(name));
  if (!e) {
    throw new UsageError(`unknown runbook '${name}'`, {
      hint: `known runbooks: ${RUNBOOKS.map((r) => `${r.id} (${r.aliases.join(', ')})`).join('; ')}`,
    });
  }
  return e;
}
