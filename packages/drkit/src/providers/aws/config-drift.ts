import { AwsClients } from '../../adapters/aws/clients.js';
import { readLiveConfig, type LiveConfigResource } from '../../adapters/aws/live-config.js';
import type { DrkitConfig } from '../../config/schema.js';
import type { PostureCheck } from '../../ports/posture.js';
import { diffSnapshots, readSnapshot, type DriftEntry } from '../../report/config-snapshot.js';

/** The default export directory, relative to the config file's directory. */
export const DEFAULT_CONFIG_EXPORT_DIR = 'ops/dr/config-export';

/**
 * The live CloudFront, WAF and Route 53 configuration of the AWS account the config points at
 * (`aws.regionA`/`aws.regionB`, `aws.endpoint`), normalized for the export.
 */
export async function awsLiveConfig(config: DrkitConfig): Promise<LiveConfigResource[]> {
  const a = config.aws;
  const clients = new AwsClients({
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
    defaultRegion: a.regionA,
  });
  try {
    return await readLiveConfig(clients, [a.regionA, a.regionB]);
  } finally {
    clients.destroy();
  }
}

/** Each resource's drift between the export in `dir` and what is live. */
export async function awsConfigDriftEntries(
  config: DrkitConfig,
  dir: string,
): Promise<{ entries: DriftEntry[]; compared: number }> {
  const saved = readSnapshot(dir); // a missing export fails before any AWS call
  const live = await awsLiveConfig(config);
  return {
    entries: diffSnapshots(saved, live),
    compared: new Set([...saved.map((s) => s.file), ...live.map((l) => l.file)]).size,
  };
}

/**
 * `drkit verify`'s view of config drift: one `config.drift` fail check per drifted resource
 * (subject = its file, value = added/removed/changed paths), or one pass check when the live
 * configuration matches the export.
 * @throws NotFoundError when `dir` holds no export
 */
export async function configDrift(config: DrkitConfig, dir: string): Promise<PostureCheck[]> {
  const { entries, compared } = await awsConfigDriftEntries(config, dir);
  if (!entries.length)
    return [
      {
        id: 'config.drift',
        subject: `config export ${dir}`,
        status: 'pass',
        value: `${compared} resources match`,
        reason: 'the live CloudFront, WAF and Route 53 configuration equals the export in the repo',
      },
    ];
  return entries.map((e) => ({
    id: 'config.drift',
    subject: e.file,
    status: 'fail',
    value: e.change === 'changed' ? `changed: ${e.paths.join(', ')}` : e.change,
    reason:
      e.change === 'added'
        ? 'live but not in the export: export it (`drkit config-export`) or remove it'
        : e.change === 'removed'
          ? 'in the export but not live: recreate it from the export, or export again'
          : 'live differs from the export: review, then re-apply the export or export again',
  }));
}
