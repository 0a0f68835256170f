import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DrError } from '../../engine/errors.js';
import { labLagSamples } from '../../lab/metrics.js';
import { labProvider } from '../../lab/provider.js';
import { posturePolicy, verifyLab } from '../../lab/verify.js';
import { configDrift, DEFAULT_CONFIG_EXPORT_DIR } from '../../providers/aws/config-drift.js';
import { verifyAws } from '../../providers/aws/verify.js';
import type { PostureCheck } from '../../ports/posture.js';
import { LagHistory } from '../../report/lag-history.js';
import { writeVerifyRecord } from '../../report/verify-record.js';
import { cliContext } from '../context.js';
import { providerOption } from './runbook.js';

/** `drkit verify`: can the protected system be recovered today, within its targets? */
export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'check that backups and replication can actually restore — lab: pgBackRest check and verify (corrupt WAL found even though pgBackRest exits 0), repository system id, newest backup age, archiving health, recoverable window, newest restorable time, standby lag, and the lab’s S3 (moto at aws.endpoint: versioning, replication rule, Object Lock, delete-version policy) when aws.s3 names buckets; aws: RDS/Aurora backup retention, latest restorable time, deletion protection, snapshot copy in region B, replica or global cluster and its lag, S3 versioning, replication to B, Object Lock and the delete-version policy, DynamoDB PITR in both regions and replicas, Route 53 failover records with health checks, secrets in B, drift from the config export in the repo — each pass/warn/fail with the value seen; exits 11 on any fail; the result is kept in <stateDir>/posture/verify-latest.json and (lab) the archive and standby lag appended to <stateDir>/posture/lag-history.jsonl for `drkit dashboard`',
    )
    .addOption(providerOption())
    .option(
      '--config-export <dir>',
      'aws: the config export to compare with what is live (`drkit config-export`)',
      DEFAULT_CONFIG_EXPORT_DIR,
    )
    .action(async (o: { provider?: string; configExport: string }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const provider = o.provider ?? loaded.config.provider;
      const policy = posturePolicy(loaded.config);
      const progress = (l: string) => out.progress(l);
      const checks =
        provider === 'aws'
          ? [
              ...(await verifyAws(loaded.config, policy, { progress })),
              ...(await driftChecks(
                loaded.config,
                path.resolve(loaded.baseDir, o.configExport),
                progress,
              )),
            ]
          : await verifyLab(labProvider(loaded.config, loaded.baseDir), loaded.config, progress);
      if (provider === 'lab') {
        // The lab's archive and standby lag now, a point of the dashboard's lag charts.
        const lag = new LagHistory(path.resolve(loaded.baseDir, loaded.config.stateDir)).record(
          await labLagSamples(labProvider(loaded.config, loaded.baseDir)),
          'verify',
        );
        if (lag.error) out.progress(out.yellow(`lag history not recorded: ${lag.error}`));
      }
      const failed = checks.filter((x) => x.status === 'fail').length;
      const warned = checks.filter((x) => x.status === 'warn').length;
      // Kept for `drkit dashboard`; a state directory we cannot write must not hide the checks.
      let recorded: string | undefined;
      try {
        recorded = writeVerifyRecord(path.resolve(loaded.baseDir, loaded.config.stateDir), {
          checkedAt: new Date().toISOString(),
          provider,
          policy,
          checks,
        });
      } catch (err) {
        out.progress(out.yellow(`verify result not recorded: ${(err as Error).message}`));
      }
      const result = { provider, policy, checks, failed, warned, recorded };
      // --json prints one document: the result, or on any fail the error carrying it (as validate)
      if (!failed) out.result(result);
      const mark = (s: PostureCheck['status']) =>
        s === 'pass' ? out.green('PASS') : s === 'warn' ? out.yellow('WARN') : out.red('FAIL');
      for (const x of checks)
        out.info(
          `${mark(x.status)} ${x.id.padEnd(26)} ${x.subject}: ${x.value}\n     ${out.dim(x.reason)}`,
        );
      out.info(
        `${checks.length} checks: ${checks.length - failed - warned} pass, ${warned} warn, ${failed} fail`,
      );
      if (failed)
        throw new DrError('VALIDATION_FAILED', `${failed} posture checks failed`, {
          details: result,
          hint: 'each FAIL line says what was seen and the policy it breaks (config: posture, targets)',
        });
    });
}

/**
 * Drift of the live CloudFront, WAF and Route 53 configuration from the export in the repo (seed
 * 000): a fail per drifted resource; no export yet is a warn, never a pass.
 */
async function driftChecks(
  config: Parameters<typeof configDrift>[0],
  dir: string,
  progress: (l: string) => void,
): Promise<PostureCheck[]> {
  if (!existsSync(dir) || readdirSync(dir).length === 0)
    return [
      {
        id: 'config.drift',
        subject: `config export ${dir}`,
        status: 'warn',
        value: 'no export',
        reason:
          'not checked: run `drkit config-export` and commit the files, then verify compares them with what is live',
      },
    ];
  progress(`comparing the live CloudFront, WAF and Route 53 configuration with ${dir}`);
  return configDrift(config, dir);
}
