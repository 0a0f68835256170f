import { DrError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import { planIfCapable, requireCapability } from '../../shared/capability.js';
import { sleep } from '../../../util/net.js';
import type { RegionDeps, RegionState } from '../context.js';

/** How long a connected standby may take to go from `catchup` to `streaming`. */
const CATCHUP_WAIT_MS = 60_000;

/** A planned move needs a streaming standby: checked before anything is frozen. */
export function checkStandbyReady(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'check-standby-ready',
    title: 'Check that the target streams from the primary',
    plan: (ctx) => [
      `database(${deps.database.kind}) replication ${ctx.state.fromCluster}: ${ctx.state.toCluster} must be streaming`,
    ],
    async run(ctx) {
      const s = ctx.state;
      for (const [cap, what] of [
        ['switchover', 'stop cleanly and wait for replay: no planned switchover'],
        ['replication-status', 'report replication: no planned switchover'],
        ['promote', 'promote: no planned switchover'],
      ] as const)
        requireCapability(deps.database, cap, what);
      // A standby just rebuilt (RB-N-08) is connected but still in `catchup` for a moment:
      // waited for, bounded; a standby not connected at all fails at once.
      const deadline = Date.now() + CATCHUP_WAIT_MS;
      let sb;
      for (;;) {
        const rep = await deps.database.replication!(s.fromCluster);
        sb = rep.standbys.find((x) => x.name === s.toCluster);
        if (sb?.state === 'streaming') break;
        if (!sb || Date.now() > deadline) {
          const waited = sb ? ` after ${CATCHUP_WAIT_MS / 1000} s` : '';
          throw new PreconditionError(
            `${s.toCluster} does not stream from ${s.fromCluster} (${sb?.state ?? 'not connected'}${waited})`,
            { hint: 'rebuild it as a standby first (RB-N-08 does)' },
          );
        }
        ctx.progress(`${s.toCluster} ${sb.state}, lag ${sb.lagBytes} B: waiting for streaming`);
        await sleep(500);
      }
      ctx.progress(
        `${s.toCluster} streaming, ${sb.syncState}, lag ${sb.lagBytes} B / ${sb.replayLagSeconds ?? 0} s`,
      );
    },
  };
}

/** Stops the old primary cleanly: its last WAL (shutdown checkpoint) reaches the standby. */
export function stopOldPrimary(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'stop-old-primary',
    title: 'Stop the old primary cleanly and record its final LSN',
    destructive: true,
    plan: (ctx) =>
      planIfCapable(deps.database, 'switchover', 'stop cleanly for a switchover', () =>
        deps.database.planStopForSwitchover!(ctx.state.fromCluster),
      ),
    async run(ctx) {
      const { finalLsn } = await deps.database.stopForSwitchover!(ctx.state.fromCluster);
      ctx.progress(`final LSN ${finalLsn}`);
      return { finalLsn };
    },
  };
}

/** RPO 0, asserted: the standby must have replayed the old primary's final LSN. */
export function waitCaughtUp(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'wait-standby-caught-up',
    title: 'Wait until the standby replayed the final LSN (RPO 0)',
    timeoutMs: 60_000,
    plan: (ctx) =>
      planIfCapable(deps.database, 'switchover', 'wait for replay', () =>
        deps.database.planWaitForReplay!(ctx.state.toCluster, ctx.state.finalLsn ?? '<final LSN>'),
      ),
    async run(ctx) {
      if (!ctx.state.finalLsn) throw new PreconditionError('no final LSN recorded');
      const replayedLsn = await deps.database.waitForReplay!(
        ctx.state.toCluster,
        ctx.state.finalLsn,
        30_000,
      );
      ctx.progress(`replayed ${replayedLsn} >= ${ctx.state.finalLsn}`);
      return { replayedLsn };
    },
  };
}

/**
 * A managed planned move (Aurora Global Database) needs the source writing and the target an
 * available secondary of the same global database: checked before anything is frozen.
 */
export function checkManagedSwitchover(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'check-managed-switchover',
    title: 'Check that the target is an available secondary of the source',
    plan: (ctx) =>
      planIfCapable(deps.database, 'managed-switchover', 'switch over by itself', () =>
        deps.database.planCheckSwitchover!(ctx.state.fromCluster, ctx.state.toCluster),
      ),
    async run(ctx) {
      requireCapability(deps.database, 'managed-switchover', 'switch over by itself');
      ctx.progress(
        await deps.database.checkSwitchover!(ctx.state.fromCluster, ctx.state.toCluster),
      );
    },
  };
}

/**
 * The backend moves the writer itself with no data loss (SwitchoverGlobalCluster: AWS waits for
 * the secondary to catch up before it promotes it, and the old writer becomes a secondary):
 * stands for stop-old-primary + wait-standby-caught-up + promote-standby.
 */
export function managedSwitchover(deps: RegionDeps): Step<RegionState> {
  return {
    id: 'switchover-database',
    title: 'Switch the writer over to the target (managed, no data loss)',
    destructive: true,
    timeoutMs: 45 * 60_000,
    plan: (ctx) =>
      planIfCapable(deps.database, 'managed-switchover', 'switch over by itself', () =>
        deps.database.planSwitchover!(ctx.state.fromCluster, ctx.state.toCluster),
      ),
    async run(ctx) {
      const s = ctx.state;
      requireCapability(deps.database, 'managed-switchover', 'switch over by itself');
      const started = new Date();
      let r: Awaited<ReturnType<NonNullable<typeof deps.database.switchover>>>;
      try {
        r = await deps.database.switchover!(s.fromCluster, s.toCluster, {
          progress: (m) => ctx.progress(m),
        });
      } catch (err) {
        // the one thing to know at this point: writes are frozen and the old primary still writes
        const e = err instanceof DrError ? err : undefined;
        throw new DrError(e?.code ?? 'EXTERNAL', (err as Error).message, {
          cause: err,
          retryable: e?.retryable ?? false,
          ...(e?.details ? { details: e.details } : {}),
          hint: `${e?.hint ? `${e.hint}; ` : ''}writes stay frozen (global_readonly=true in ${s.appConfigSecret}) and ${s.fromCluster} is still the writer: fix the cause and run \`drkit runbook resume ${ctx.executionId}\`, or set global_readonly=false there to serve from ${s.fromRegion} again`,
        });
      }
      if (r.alreadyDone)
        ctx.progress(`${s.toCluster} already writes: nothing switched (a resumed run)`);
      const d = await deps.database.describe(s.toCluster);
      if (d.role !== 'primary')
        throw new PreconditionError(`${s.toCluster} is still ${d.role} after the switchover`);
      return {
        newPrimary: s.toCluster,
        newEndpoint: d.endpoint,
        promotedAt: started.toISOString(),
        promotionMs: r.durationMs,
      };
    },
  };
}

/**
 * The old primary becomes a streaming standby of the new one (rewind, or a fresh restore);
 * with `reverse`, the target cluster is rebuilt as a standby of the source (RB-N-08's first
 * step: region A rejoins under B before the switchover back).
 */
export function rejoinOldPrimary(
  deps: RegionDeps,
  opts: { id?: string; reverse?: boolean } = {},
): Step<RegionState> {
  const pick = (s: RegionState) =>
    opts.reverse
      ? { standby: s.toCluster, primary: s.fromCluster }
      : { standby: s.fromCluster, primary: s.toCluster };
  return {
    id: opts.id ?? 'rejoin-old-primary',
    title: opts.reverse
      ? 'Rebuild the target cluster as a standby of the current primary'
      : 'Rejoin the old primary as a standby of the new one',
    destructive: true,
    timeoutMs: 30 * 60_000,
    plan: async (ctx) => {
      const { standby, primary } = pick(ctx.state);
      const db = deps.database;
      return [
        ...(await planIfCapable(db, 'rejoin', 'rebuild a standby', () =>
          db.planRejoinAsStandby!(standby, primary),
        )),
        ...(ctx.state.synchronous && db.capabilities.has('synchronous')
          ? [`database setSynchronous ${primary} [${standby}]`]
          : []),
      ];
    },
    async run(ctx) {
      const { standby, primary } = pick(ctx.state);
      requireCapability(deps.database, 'rejoin', 'rebuild a standby');
      const r = await deps.database.rejoinAsStandby!(standby, primary, {
        progress: (m) => ctx.progress(m),
      });
      if (ctx.state.synchronous && deps.database.capabilities.has('synchronous'))
        await deps.database.setSynchronous!(primary, [standby]);
      return { rejoin: { cluster: standby, method: r.method, durationMs: r.durationMs } };
    },
  };
}
