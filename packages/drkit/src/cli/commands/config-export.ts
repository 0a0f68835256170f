import path from 'node:path';
import { Command } from 'commander';
import { CapabilityError, DrError } from '../../engine/errors.js';
import {
  awsConfigDriftEntries,
  awsLiveConfig,
  DEFAULT_CONFIG_EXPORT_DIR,
} from '../../providers/aws/config-drift.js';
import { writeSnapshot } from '../../report/config-snapshot.js';
import { cliContext } from '../context.js';
import { providerOption } from './runbook.js';

/** Only AWS has an edge/DNS configuration to export; the lab's front door is HAProxy. */
function requireAws(provider: string, command: string): void {
  if (provider !== 'aws')
    throw new CapabilityError(
      `drkit ${command} has nothing to export on the ${provider} provider`,
      {
        hint: 'use --provider aws (CloudFront, WAF, Route 53; aws.endpoint in the config points at moto)',
      },
    );
}

/** `drkit config-export`: the live CloudFront, WAF and Route 53 config as normalized JSON. */
export function configExportCommand(): Command {
  return new Command('config-export')
    .description(
      'write the live CloudFront distributions, WAF web ACLs (CLOUDFRONT scope and REGIONAL in both regions), Route 53 hosted zones with their record sets and health checks as normalized JSON, one file per resource (sorted keys, volatile fields dropped, custom origin header values redacted), to commit to the repo',
    )
    .addOption(providerOption('provider whose config to export (only aws)').default('aws'))
    .option('--out <dir>', 'export directory', DEFAULT_CONFIG_EXPORT_DIR)
    .action(async (o: { provider: string; out: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      requireAws(o.provider, 'config-export');
      const dir = path.resolve(loaded.baseDir, o.out);
      out.progress(
        `reading the live configuration (${loaded.config.aws.regionA}, ${loaded.config.aws.regionB})…`,
      );
      const resources = await awsLiveConfig(loaded.config);
      const r = writeSnapshot(dir, resources);
      out.result({ dir, resources: resources.map((x) => x.file), ...r });
      out.info(
        `${resources.length} resources exported to ${dir}: ${r.written.length} written, ${r.unchanged} unchanged, ${r.removed.length} removed`,
      );
      for (const f of r.written) out.info(`  wrote   ${f}`);
      for (const f of r.removed) out.info(`  removed ${f}`);
    });
}

/** `drkit config-drift`: the export in the repo against what is live. */
export function configDriftCommand(): Command {
  return new Command('config-drift')
    .description(
      'compare the config export in the repo with the live CloudFront, WAF and Route 53 configuration: each resource added, removed or changed with the JSON Pointers that differ; exits 11 on drift',
    )
    .addOption(providerOption('provider whose config to compare (only aws)').default('aws'))
    .option('--dir <dir>', 'export directory', DEFAULT_CONFIG_EXPORT_DIR)
    .action(async (o: { provider: string; dir: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      requireAws(o.provider, 'config-drift');
      const dir = path.resolve(loaded.baseDir, o.dir);
      const { entries, compared } = await awsConfigDriftEntries(loaded.config, dir);
      // on drift the one --json document is the error, its details carrying the drift
      if (!entries.length) out.result({ dir, compared, drift: entries });
      for (const e of entries)
        out.info(
          `${out.red(e.change.padEnd(7))} ${e.file}${e.paths.length ? `\n          ${e.paths.join('\n          ')}` : ''}`,
        );
      out.info(
        entries.length
          ? out.yellow(`${entries.length} of ${compared} resources drifted from ${dir}`)
          : out.green(`no drift: ${compared} resources match ${dir}`),
      );
      if (entries.length)
        throw new DrError(
          'VALIDATION_FAILED',
          `${entries.length} resources drifted from the export`,
          {
            hint: 'review each path: re-apply the export to the live resource, or run `drkit config-export` and commit if the change is intended',
            details: { dir, compared, drift: entries },
          },
        );
    });
}
