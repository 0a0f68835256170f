import type { DrkitConfig } from '../config/schema.js';
import type { DelayedStandbyStatus } from '../ports/database.js';
import type { PostureCheck } from '../ports/posture.js';
import type { LabProvider } from './provider.js';

/** Region B's delayed standby: RB-N-02's fast path, never a failover target. */
export const REGION_B_DELAYED = 'region-b-delayed';

/**
 * Creates the delayed standby of `primaryId` (`recovery_min_apply_delay` from the config, or
 * `applyDelaySeconds`) unless it exists. Streams through the primary's replication endpoint
 * (region B's link when the lab has one) and fetches WAL from the archive like any standby.
 */
export async function ensureDelayedStandby(
  p: LabProvider,
  config: DrkitConfig,
  primaryId: string,
  opts: { applyDelaySeconds?: number; progress?: (m: string) => void } = {},
): Promise<void> {
  if (p.clusters.list().some((c) => c.id === REGION_B_DELAYED)) return;
  const delay = opts.applyDelaySeconds ?? config.lab.regions.delayedStandby.applyDelaySeconds;
  opts.progress?.(
    `region B: delayed standby '${REGION_B_DELAYED}' of '${primaryId}' (recovery_min_apply_delay ${delay} s)`,
  );
  await p.database.createStandby(primaryId, REGION_B_DELAYED, { applyDelaySeconds: delay });
}

/** One line per delayed standby: its delay, the window it protects, its replay lag. */
export function describeDelayed(s: DelayedStandbyStatus): string {
  const lag = s.replayLagSeconds !== undefined ? `${s.replayLagSeconds.toFixed(1)} s` : 'unknown';
  const window = s.window
    ? `protects ${s.window.earliest.toISOString()} … now (nominal now − ${s.applyDelaySeconds} s … now)`
    : `protects nothing: ${s.problem}`;
  return `${s.id} of ${s.primary}: apply delay ${s.applyDelaySeconds} s, ${window}; replay lag ${lag}${s.paused ? ' [replay PAUSED]' : ''}${s.streaming ? '' : ' [not streaming]'}`;
}

/**
 * `drkit verify`'s checks of the delayed standbys of `primaryId`: pass when it protects its
 * window; fail when down, promoted or lagging beyond it; warn when its replay is paused (an
 * RB-N-02 run holds it, or a person) — it then protects a window that no longer moves.
 */
export async function delayedStandbyChecks(
  p: LabProvider,
  primaryId: string,
): Promise<PostureCheck[]> {
  const out: PostureCheck[] = [];
  for (const s of await p.database.delayedStandbys(primaryId)) {
    out.push({
      id: 'delayed-standby.window',
      subject: `delayed standby ${s.id} of ${primaryId}`,
      status: !s.healthy ? 'fail' : s.paused ? 'warn' : 'pass',
      value: describeDelayed(s),
      reason: s.healthy
        ? `RB-N-02 restores a target in ${s.window!.earliest.toISOString()} … now from it, in seconds`
        : 'RB-N-02 falls back to the classic restore (backup + WAL) until it is rebuilt',
    });
  }
  return out;
}
