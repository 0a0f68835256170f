import { pgBackRestPosture } from '../adapters/postgres/pgbackrest-posture.js';
import type { DrkitConfig } from '../config/schema.js';
import type { PostureCheck, PosturePolicy } from '../ports/posture.js';
import type { LabProvider } from './provider.js';
import { delayedStandbyChecks } from './delayed-standby.js';

/** The posture policy from the config: its `posture` section and the RPO target. */
export function posturePolicy(config: DrkitConfig): PosturePolicy {
  return {
    maxBackupAgeHours: config.posture.maxBackupAgeHours,
    minWindowDays: config.posture.minWindowDays,
    rpoTargetSeconds: config.targets.rpoTargetSeconds,
  };
}

/**
 * `drkit verify` on the lab: the pgBackRest posture of every running primary that owns its
 * stanza (the cluster backups are taken from), and the window its delayed standby protects. A lab with no such cluster fails one check that
 * says so: nothing is protected.
 */
export async function verifyLab(
  p: LabProvider,
  config: DrkitConfig,
  progress: (line: string) => void = () => undefined,
): Promise<PostureCheck[]> {
  const policy = posturePolicy(config);
  const checks: PostureCheck[] = [];
  let primaries = 0;
  for (const c of p.clusters.list()) {
    if (!c.ownsStanza || !p.clusters.isRunning(c.id)) continue;
    const d = await p.database.describe(c.id);
    if (d.role !== 'primary') continue;
    primaries += 1;
    progress(`verifying ${c.id}: pgbackrest check, verify (reads every archived file), info…`);
    checks.push(...(await pgBackRestPosture(p.clusters, p.database, c.id, policy)));
    checks.push(...(await delayedStandbyChecks(p, c.id)));
  }
  if (primaries === 0)
    checks.push({
      id: 'lab.primary',
      subject: 'lab',
      status: 'fail',
      value: 'no running primary with a pgBackRest stanza',
      reason: 'nothing to verify: run `drkit lab up` (or start the lab’s clusters)',
    });
  return checks;
}
