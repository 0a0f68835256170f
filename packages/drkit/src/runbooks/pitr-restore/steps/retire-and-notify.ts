import type { Step } from '../../../engine/step.js';
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
      `${deps.database.kind}: full backup of '${ctx.state.source}' labelled pre-retire`,
      `${deps.database.kind}: stop '${ctx.state.source}' (only after the backup exists; data directory kept)`,
    ],
    async run(ctx) {
      let label = ctx.state.oldClusterBackup;
      if (!label) {
        ctx.progress(`backing up '${ctx.state.source}'`);
        const b = await deps.database.backup(ctx.state.source, {
          type: 'full',
          label: `pre-retire-${ctx.executionId}`,
        });
        label = b.label;
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

/** Tells people it is over, with the figures. */
export function notifyDone(deps: PitrDeps): Step<PitrState> {
  return notifyStep<PitrState>(deps.notifier, {
    title: 'Notify: restore complete',
    message: ({ state: s, executionId }) => ({
      subject: `Resolved: '${s.source}' restored to ${s.restoredTo ?? s.target} as '${s.restoredClusterId}'`,
      body: [
        `execution ${executionId}`,
        `restore took ${((s.restoreDurationMs ?? 0) / 1000).toFixed(1)} s; validation: ${s.validation?.ok ? 'OK' : 'see report'}`,
        `writes unfrozen at ${s.unfrozenAt}; old cluster backed up (${s.oldClusterBackup}) and stopped`,
      ].join('\n'),
      severity: 'info',
    }),
  });
}
