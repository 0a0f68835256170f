import { AwsClients } from '../adapters/aws/clients.js';
import { s3BucketsPosture } from '../adapters/aws/posture/s3-posture.js';
import { pgBackRestPosture } from '../adapters/postgres/pgbackrest-posture.js';
import type { DrkitConfig } from '../config/schema.js';
import type { PostureCheck, PosturePolicy } from '../ports/posture.js';
import { s3PostureOptions } from '../providers/aws/verify.js';
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
 * stanza (the cluster backups are taken from), the window its delayed standby protects, and the
 * lab's object storage when the config names buckets (`aws.s3`). A lab with no such cluster fails
 * one check that says so: nothing is protected.
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
  checks.push(...(await labObjectStoragePosture(config, progress)));
  return checks;
}

/**
 * The lab's object storage (the moto server at `aws.endpoint`) held to seed 000 by the same
 * checks as AWS ({@link s3BucketsPosture}): versioning, a replication rule to region B, Object
 * Lock on compliance buckets, the policy denying s3:DeleteObjectVersion except to the
 * break-glass role. No bucket named: nothing checked (the lab's app keeps no objects).
 */
export async function labObjectStoragePosture(
  config: DrkitConfig,
  progress: (line: string) => void = () => undefined,
): Promise<PostureCheck[]> {
  const s3 = config.aws.s3;
  if (s3.buckets.length + s3.objectLockBuckets.length === 0) return [];
  if (!config.aws.endpoint)
    return [
      {
        id: 's3',
        subject: 'lab object storage',
        status: 'warn',
        value: 'no endpoint',
        reason:
          'not checked: the lab reads its buckets through aws.endpoint (its moto server); set it, or verify them with --provider aws',
      },
    ];
  const clients = new AwsClients({
    endpoint: config.aws.endpoint,
    defaultRegion: config.aws.regionA,
    maxAttempts: 2,
  });
  try {
    return await s3BucketsPosture(clients, s3PostureOptions(config, progress));
  } finally {
    clients.destroy();
  }
}
