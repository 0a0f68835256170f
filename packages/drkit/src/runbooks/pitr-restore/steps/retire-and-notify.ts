import { recoveryDone } from '../../shared/incident.js';
import type { Step } from '../../../engine/step.js';
import type { BackupType, Database } from '../../../ports/database.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { PitrDeps, PitrState } from '../context.js';

/**
 * Keeps the old (corrupted) cluster until a backup of it exists, then stops it — data kept,
 * for forensics and for recovering anything written after the restore target.
 */
export function retireOldCluster(deps: PitrDeps): Step<PitrState> {
  return {
    id: 'retire-old-cluster',
    title: 'Back up the old cluster, then stop it (data retained)',
    destructive: true,
    timeoutMs: 60 * 60_000,
    plan: (ctx) => [
      `${deps.database.kind}: ${retireBackupType(deps.database)} backup of '${ctx.state.source}' labelled pre-retire`,
      `${deps.database.kind}: stop '${ctx.state.source}' (only after the backup exists; data directory kept)`,
    ],
    async run(ctx) {
      let label = ctx.state.oldClusterBackup ?? (await adoptableBackup(deps, ctx.state));
      if (label)
        ctx.progress(
          `adopting backup ${label} of '${ctx.state.source}' (taken by an earlier attempt)`,
        );
      if (!label) {
        ctx.progress(`backing up '${ctx.state.source}'`);
        try {
          const b = await deps.database.backup(ctx.state.source, {
            type: retireBackupType(deps.database),
            label: `pre-retire-${ctx.executionId}`,
          });
          label = b.label;
        } catch (err) {
          // An earlier attempt's backup may still run (its process outlived a crash): wait
          // for it and adopt it rather than take a second one.
          label = await waitForAdoptable(deps, ctx.state, err, ctx.signal);
          ctx.progress(`adopted backup ${label}, finished by an earlier attempt`);
        }
      }
      // The backup must be listed before the cluster may stop.
      const backups = await deps.database.listBackups(ctx.state.source);
      if (!backups.some((b) => b.label === label))
        throw new Error(`backup ${label} of '${ctx.state.source}' is not listed; not stopping it`);
      await deps.database.stop(ctx.state.source);
      return { oldClusterBackup: label, oldClusterStoppedAt: new Date().toISOString() };
    },
  };
}

/**
 * The whole-cluster backup the backend takes on demand: a snapshot where it has them (RDS:
 * its automated backups cannot be taken by hand), else a full backup (pgBackRest).
 */
function retireBackupType(db: Database): BackupType {
  return db.capabilities.has('snapshots') ? 'snapshot' : 'full';
}

/**
 * A full backup (or snapshot) of the source that started after writes moved to the restored cluster: only
 * this execution (which holds the source's lock) takes one then — an attempt that crashed.
 */
async function adoptableBackup(deps: PitrDeps, s: PitrState): Promise<string | undefined> {
  const since = Date.parse(s.unfrozenAt ?? s.swappedAt ?? '');
  if (Number.isNaN(since)) return undefined;
  const backups = await deps.database.listBackups(s.source);
  // pgBackRest stamps whole seconds: allow the second the step began in
  const type = retireBackupType(deps.database);
  return backups.filter((b) => b.type === type && b.startedAt.getTime() >= since - 1000).pop()
    ?.label;
}

/** Waits (up to 10 min) for a backup of an earlier attempt to finish; rethrows `err` if none. */
async function waitForAdoptable(
  deps: PitrDeps,
  s: PitrState,
  err: unknown,
  signal: AbortSignal,
): Promise<string> {
  if (!/lock|another .*(backup|process)|already running/i.test(String((err as Error)?.message)))
    throw err;
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline && !signal.aborted) {
    const label = await adoptableBackup(deps, s);
    if (label) return label;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw err;
}

/** Tells people it is over, with the figures. */
export function notifyDone(deps: PitrDeps): Step<PitrState> {
  return notifyStep<PitrState>(deps.notifier, {
    title: 'Notify: restore complete',
    message: ({ state: s, executionId }) => ({
      subject: `Resolved: '${s.source}' restored to ${s.restoredTo ?? s.target} as '${s.restoredClusterId}'`,
      body: [
        `execution ${executionId}`,
        `restore took ${((s.restoreDurationMs ?? 0) / 1000).toFixed(1)} s (path: ${s.restorePath ?? 'classic'}${s.fallbackReason ? `, after the fast path was refused: ${s.fallbackReason}` : ''}); validation: ${s.validation?.ok ? 'OK' : 'see report'}`,
        ...(s.delayedStandbyRebuiltAt
          ? [`delayed standby '${s.delayedStandby?.id}' rebuilt at ${s.delayedStandbyRebuiltAt}`]
          : []),
        `writes unfrozen at ${s.unfrozenAt}; old cluster backed up (${s.oldClusterBackup}) and stopped`,
      ].join('\n'),
      severity: 'info',
    }),
    after: async ({ state: s }) =>
      await recoveryDone(
        deps.incidents,
        s.deskIncidentId,
        `'${s.source}' restored to ${s.restoredTo ?? s.target}; writes are back. Monitoring.`,
      ),
  });
}
