import { Command } from 'commander';
import { DrError, UsageError } from '../../engine/errors.js';
import { runPitrDrill } from '../../drills/pitr-drill.js';
import { runRegionDrill, type RegionScenario } from '../../drills/region-drill.js';
import { runS3Drill } from '../../drills/s3-drill.js';
import { drillPlan } from '../../report/drill-plan.js';
import { quarterOf } from '../../report/drill-report.js';
import { readStoredReports } from '../../report/evidence.js';
import path from 'node:path';
import { runSearchDrill } from '../../drills/search-drill.js';
import { runEmailFailoverDrill } from '../../drills/email-drill.js';
import { runWebhookOutageDrill } from '../../drills/webhook-drill.js';
import { runBreachDrill } from '../../drills/breach-drill.js';
import { cliContext } from '../context.js';
import { eventPrinter } from './runbook.js';
import type { DrillReport } from '../../report/report-types.js';
import type { Output } from '../output.js';

/** ` (≤ 0.34 s, resolution 0.10 s)` when the drill measured the RPO's bound. */
function rpoBound(r: DrillReport): string {
  const { rpoUpperBoundSeconds: up, rpoResolutionSeconds: res } = r.achieved;
  return up === undefined || res === undefined
    ? ''
    : ` (≤ ${up.toFixed(2)} s, resolution ${res.toFixed(2)} s)`;
}

const int = (v: string) => Number.parseInt(v, 10);

/** `--fast` alone: 30 s; `--fast <s>`: a whole number of seconds from 5 to 3600. */
function fastDelay(v: string | boolean): number {
  if (v === true) return 30;
  const s = Number(v);
  if (!Number.isInteger(s) || s < 5 || s > 3600)
    throw new UsageError(
      `--fast ${String(v)}: give the apply delay as whole seconds from 5 to 3600`,
      {
        hint: 'e.g. --fast 30 (the drill waits about that long before the fault)',
      },
    );
  return s;
}

export function drillCommand(): Command {
  const cmd = new Command('drill').description(
    'game days: inject a fault, run the runbook, measure RTO/RPO, write evidence',
  );

  cmd
    .command('pitr')
    .description('Q1 drill: bad mass delete → RB-N-02 point-in-time restore, measured')
    .option('--users <n>', 'seed users for the drill lab', int)
    .option('--warmup <s>', 'seconds of workload before the fault', int, 3)
    .option('--detection-delay <s>', 'seconds before the incident is declared', int, 0)
    .option(
      '--alerting',
      'run Prometheus and Alertmanager in the drill lab; RB-N-02 starts when MassDeleteOnCoreTable reaches drkit (real detection)',
    )
    .option('--sustain <s>', 'seconds of workload after recovery', int, 5)
    .option('--keep', 'leave the drill lab running')
    .option(
      '--fast [seconds]',
      "RB-N-02's fast path: a delayed standby with this apply delay (default 30 s) replayed to the target; the drill waits until it has replayed a commit",
    )
    .action(
      async (
        o: {
          users?: number;
          warmup: number;
          detectionDelay: number;
          alerting?: boolean;
          sustain: number;
          keep?: boolean;
          fast?: string | boolean;
        },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        const res = await runPitrDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          warmupSeconds: o.warmup,
          detectionDelaySeconds: o.detectionDelay,
          alerting: o.alerting ?? false,
          sustainSeconds: o.sustain,
          keep: o.keep ?? false,
          ...(o.users !== undefined ? { seedUsers: o.users } : {}),
          ...(o.fast !== undefined ? { fastApplyDelaySeconds: fastDelay(o.fast) } : {}),
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        announce(out, res);
        out.info(
          `  RTO ${r.achieved.rtoSeconds?.toFixed(2) ?? 'not reached'} s (target ${r.targets.rtoTargetMinutes * 60} s)`,
        );
        out.info(`  path: ${String(r.facts.restorePath)}`);
        out.info(
          `  RPO ${r.achieved.rpoSeconds?.toFixed(2)} s${rpoBound(r)}, ${r.achieved.lostWrites} of ${r.achieved.acknowledgedWrites} acknowledged writes lost (target ${r.targets.rpoTargetSeconds} s)`,
        );
        conclude(out, res, 'the drill did not meet its targets');
      },
    );
  const region = (name: RegionScenario, description: string) => {
    const sub = cmd
      .command(name)
      .description(description)
      .option('--sync', 'synchronous replication A → B (RPO 0 expected)')
      .option('--async', 'asynchronous replication (the default unless config says otherwise)')
      .option('--users <n>', 'seed users for the drill lab', int, 200)
      .option('--warmup <s>', 'seconds of workload before the fault', int, 3)
      .option('--sustain <s>', 'seconds of workload after recovery', int, 4)
      .option('--keep', 'leave the drill lab running');
    if (name === 'region-failover') {
      sub.option(
        '--break-standby',
        "stop region B's standby first: RB-N-01 must restore from the latest backup",
      );
      sub.option(
        '--no-fence-check',
        'skip restarting the old primary and region A after the failover',
      );
      sub.option(
        '--partition <s>',
        'cut the inter-region link A → B this many seconds before the fault (the workload keeps writing to A)',
        int,
      );
      sub.option(
        '--alerting',
        "run Prometheus and Alertmanager in the drill lab: RB-N-01 starts when the PrimaryDown alert reaches drkit's receiver (detection measured by real alerting)",
      );
    }
    sub.action(
      async (
        o: {
          sync?: boolean;
          async?: boolean;
          users: number;
          warmup: number;
          sustain: number;
          keep?: boolean;
          breakStandby?: boolean;
          fenceCheck?: boolean;
          partition?: number;
          alerting?: boolean;
        },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        const res = await runRegionDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          scenario: name,
          ...(o.sync ? { synchronous: true } : o.async ? { synchronous: false } : {}),
          breakStandby: o.breakStandby ?? false,
          checkFence: o.fenceCheck ?? true,
          ...(o.partition !== undefined ? { partitionSeconds: o.partition } : {}),
          ...(o.alerting ? { alerting: true } : {}),
          seedUsers: o.users,
          warmupSeconds: o.warmup,
          sustainSeconds: o.sustain,
          keep: o.keep ?? false,
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        announce(out, res);
        out.info(
          `  RTO ${r.achieved.rtoSeconds?.toFixed(2) ?? 'not reached'} s (target ${r.targets.rtoTargetMinutes * 60} s); detection ${r.facts.detectionSeconds ?? '-'} s, promotion ${r.facts.promotionSeconds ?? '-'} s, write unavailability ${r.facts.writeUnavailabilitySeconds} s`,
        );
        out.info(
          `  RPO ${r.achieved.rpoSeconds?.toFixed(2)} s${rpoBound(r)}, ${r.achieved.lostWrites} of ${r.achieved.acknowledgedWrites} acknowledged writes lost (${r.facts.replication})`,
        );
        if (r.facts.alertFiredAt)
          out.info(
            `  alert: PrimaryDown fired ${r.facts.alertFiredSeconds} s after T0 (${r.facts.alertFiredAt}), received ${r.facts.alertReceivedAt}`,
          );
        if (r.facts.partitionSeconds) {
          out.info(
            `  partition ${r.facts.partitionSeconds} s: ${r.facts.writesAcknowledgedDuringPartition} writes acknowledged and ${r.facts.writesFailedDuringPartition} failed during it, ${r.facts.lostOfPartitionAcks} of them lost (${r.facts.partitionAcksOnBAnyway} on B anyway: WAL archive, or in flight at the cut); B at T0: ${r.facts.standbyAtFault}`,
          );
          if (r.facts.lostWindow) out.info(`  lost acknowledged writes: ${r.facts.lostWindow}`);
        }
        if (r.facts.fence) out.info(`  split-brain fence: ${r.facts.fence}`);
        conclude(out, res, 'the drill did not meet its targets');
      },
    );
  };
  cmd
    .command('s3-restore')
    .description(
      'RB-N-03 drill: a bad deploy deletes and overwrites part of a versioned prefix → restore the prefix to T, verified key by key, measured',
    )
    .option('--objects <n>', 'objects seeded under the prefix', int, 300)
    .option(
      '--bucket <name>',
      'an existing versioned bucket with an empty prefix (default: a new bucket)',
    )
    .option('--prefix <prefix>', 'the prefix seeded, damaged and restored', 'media/')
    .option('--warmup <s>', 'seconds of workload before the restore point T', int, 2)
    .option(
      '--window <s>',
      'seconds of workload between T and the fault: what the restore to T gives up',
      int,
      3,
    )
    .option('--rate <n>', 'workload writes per second', int, 20)
    .action(
      async (
        o: {
          objects: number;
          bucket?: string;
          prefix: string;
          warmup: number;
          window: number;
          rate: number;
        },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        const res = await runS3Drill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          objects: o.objects,
          ...(o.bucket ? { bucket: o.bucket } : {}),
          prefix: o.prefix,
          warmupSeconds: o.warmup,
          windowSeconds: o.window,
          writesPerSecond: o.rate,
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        announce(out, res);
        out.info(`  ${r.facts.emulator}`);
        out.info(
          `  RTO ${r.achieved.rtoSeconds?.toFixed(2) ?? 'not reached'} s (target ${r.targets.rtoTargetMinutes * 60} s): T0 → verified and CDN purged`,
        );
        out.info(
          `  RPO ${r.achieved.rpoSeconds?.toFixed(2)} s, ${r.achieved.lostWrites} of ${r.achieved.acknowledgedWrites} acknowledged writes lost (${r.facts.writesAcknowledgedBetweenTAndT0} acknowledged between T and T0; target ${r.targets.rpoTargetSeconds} s)`,
        );
        out.info(
          `  verification: by version listing ${r.facts.verificationByVersionListing}; by workload record ${r.facts.verificationByWorkloadRecord}`,
        );
        conclude(out, res, 'the drill failed verification or missed its targets');
      },
    );
  cmd
    .command('search-loss')
    .description(
      'Q3 drill: kill Typesense and delete its data → RB-N-04 reindex from PostgreSQL, hot slices first, measured (RTO-hot, RTO-full, documents missing or stale)',
    )
    .option('--people <n>', 'people seeded (studios a tenth, work a half)', int, 20000)
    .option('--rate <n>', 'people updates per second during the drill', int, 20)
    .option('--warmup <s>', 'seconds of workload before the fault', int, 2)
    .option('--schemas <file>', 'collection schemas (default: search.collectionsFile)')
    .action(
      async (o: { people: number; rate: number; warmup: number; schemas?: string }, c: Command) => {
        const { out, loaded } = cliContext(c);
        const res = await runSearchDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          people: o.people,
          updatesPerSecond: o.rate,
          warmupSeconds: o.warmup,
          // a path given on the command line is the caller's, relative to the working directory
          ...(o.schemas ? { schemas: path.resolve(o.schemas) } : {}),
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        const f = r.facts;
        announce(out, res);
        out.info(
          `  RTO-hot ${f.rtoHotSeconds ?? 'not reached'} s, RTO-full ${f.rtoFullSeconds ?? 'not reached'} s (${f.windows})`,
        );
        out.info(
          `  missing ${f.documentsMissing}, stale ${f.documentsStale}; dead letters ${f.deadLetters}; ${f.documentsPerSecond} documents/s`,
        );
        conclude(out, res, 'the drill failed verification or missed its targets');
      },
    );
  region(
    'region-failover',
    'Q2 drill: SIGKILL every region-A process → detector → RB-N-01 failover to B, measured',
  );
  region('switchover', 'planned switchover A → B with RPO 0 asserted, measured');
  region('cutback', 'failover to B, then RB-N-08 cutback to A with RPO 0 asserted, measured');
  cmd
    .command('email-failover')
    .description(
      'RB-N-07 drill: the primary mail provider (mailpit) refuses with 451 while the app sends → outbox failure rate → RB-N-07 → measured from both servers by Message-ID',
    )
    .option('--warmup <s>', 'seconds of sending before the fault', int, 3)
    .option('--sustain <s>', 'seconds of sending after the runbook', int, 5)
    .option('--rate <n>', 'critical messages the app queues per second', int, 4)
    .option(
      '--warmup-rates <list>',
      'warm-up of the secondary, messages per minute per stage',
      '120,600',
    )
    .option('--stage <s>', 'seconds per warm-up stage', int, 10)
    .action(
      async (
        o: { warmup: number; sustain: number; rate: number; warmupRates: string; stage: number },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        const res = await runEmailFailoverDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          warmupSeconds: o.warmup,
          sustainSeconds: o.sustain,
          messagesPerSecond: o.rate,
          warmupPerMinute: o.warmupRates.split(',').map(Number),
          warmupStageSeconds: o.stage,
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        announce(out, res);
        out.info(
          `  T0 → first delivery via the secondary: ${r.achieved.rtoSeconds?.toFixed(2) ?? 'never'} s (${r.facts.detection})`,
        );
        out.info(
          `  critical messages: ${r.facts.criticalQueued} queued, ${r.facts.criticalLost} lost, ${r.facts.deliveredTwice} delivered twice, ${r.facts.resent} re-sent, ${r.facts.inDoubt} in doubt`,
        );
        out.info(
          `  warm-up ${r.facts.warmupSchedule}: peak ${r.facts.peakRatePerMinute}/min (allowed ${r.facts.allowedAtPeakPerMinute}/min), ${r.facts.windowsOverSchedule} 10-s windows over`,
        );
        conclude(out, res, 'the drill lost or doubled a critical message');
      },
    );
  cmd
    .command('webhook-outage')
    .description(
      "RB-N-06 drill: the app's webhook route is down for N seconds while checkouts go on (localstripe) → RB-N-06 replay and reconcile, measured",
    )
    .option('--warmup <s>', 'seconds of checkouts before the outage', int, 3)
    .option('--outage <s>', 'seconds the webhook route answers 503', int, 5)
    .option('--sustain <s>', 'seconds of checkouts after the runbook', int, 2)
    .option('--rate <n>', 'checkouts per second', int, 4)
    .action(
      async (o: { warmup: number; outage: number; sustain: number; rate: number }, c: Command) => {
        const { out, loaded } = cliContext(c);
        const res = await runWebhookOutageDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          warmupSeconds: o.warmup,
          outageSeconds: o.outage,
          sustainSeconds: o.sustain,
          checkoutsPerSecond: o.rate,
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const r = res.report;
        const f = r.facts;
        announce(out, res);
        out.info(
          `  events missed ${f.missed}, replayed ${f.replayedApplied} (${f.replayedBeforeLiveDelivery} before their live delivery), applied twice ${f.appliedTwice}, unreconciled after ${f.unreconciledAfter} (+${f.ordersStillUnpaid} still unpaid), dead letters ${f.deadLetters}`,
        );
        out.info(
          `  endpoint back → reconciled: ${r.achieved.rtoSeconds?.toFixed(2) ?? 'never'} s (${f.checkouts} checkouts)`,
        );
        conclude(out, res, 'the drill left orders unreconciled or applied an event twice');
      },
    );
  cmd
    .command('breach')
    .description(
      'security-breach drill (seed 003 scenario 5) on the lab: stolen app credential → isolate the API at the front door, rotate the credential under a workload, sign every session out, RB-N-02 to before the breach, restore access; measured',
    )
    .option('--users <n>', 'seed users for the drill lab', int)
    .option('--sessions <n>', 'sessions opened before the breach', int, 20)
    .option('--warmup <s>', 'seconds of workload before the breach', int, 3)
    .option('--detection-delay <s>', 'seconds between the breach and T0', int, 1)
    .option('--sustain <s>', 'seconds of probing after access is restored', int, 2)
    .option('--rate <n>', 'workload writes per second (to the app tasks directly)', int, 50)
    .option('--keep', 'leave the drill lab running')
    .action(
      async (
        o: {
          rate: number;
          users?: number;
          sessions: number;
          warmup: number;
          detectionDelay: number;
          sustain: number;
          keep?: boolean;
        },
        c: Command,
      ) => {
        const { out, loaded } = cliContext(c);
        if (!(o.sessions >= 1 && o.sessions <= 500))
          throw new UsageError(`--sessions ${o.sessions}: give 1..500`);
        if (!(o.rate >= 1 && o.rate <= 500))
          throw new UsageError(`--rate ${o.rate}: give 1..500 writes per second`);
        const res = await runBreachDrill({
          config: loaded.config,
          baseDir: loaded.baseDir,
          ...(o.users !== undefined ? { seedUsers: o.users } : {}),
          sessions: o.sessions,
          writesPerSecond: o.rate,
          warmupSeconds: o.warmup,
          detectionDelaySeconds: o.detectionDelay,
          sustainSeconds: o.sustain,
          ...(o.keep ? { keep: true } : {}),
          onEvent: eventPrinter(out),
          progress: (m) => out.progress(m),
        });
        const f = res.report.facts;
        announce(out, res);
        out.info(
          `  time to isolate ${f.timeToIsolateSeconds ?? 'never'} s; API probes served after isolate ${f.apiProbesServedAfterIsolateStep}; health failures while isolated ${f.healthProbesFailedWhileIsolated}/${f.healthProbesWhileIsolated}`,
        );
        out.info(
          `  writes failed during the rotation ${f.writesFailedDuringRotation} (${f.writesAcknowledgedDuringRotation} acknowledged); stolen credential logs in: after rotation ${f.stolenCredentialLogsInAfterRotation}, on the restore ${f.stolenCredentialLogsInOnRestoredCluster}`,
        );
        out.info(
          `  sessions still valid: after sign-out ${f.sessionsValidAfterSignOut}, after the restore ${f.sessionsValidAfterRestore} (of ${f.sessionsPresented}); tampered users after the restore ${f.usersTamperedAfterRestore}; time to restore access ${f.timeToRestoreAccessSeconds ?? 'never'} s`,
        );
        conclude(
          out,
          res,
          'the breach drill left the API open, a write failed, a session valid or the data tampered',
        );
      },
    );
  cmd
    .command('plan')
    .description(
      "the seeds' quarterly drill plan (Q1 PITR, Q2 region failover, Q3 search total loss, Q4 S3 undelete): done, due or overdue from the evidence, and the command for each",
    )
    .option('--year <yyyy>', 'the plan year (default: this year)', int)
    .action((o: { year?: number }, c: Command) => {
      const { out, loaded } = cliContext(c);
      const now = new Date();
      const dir = path.resolve(loaded.baseDir, loaded.config.reportsDir);
      const plan = drillPlan(
        o.year ?? now.getUTCFullYear(),
        quarterOf(now),
        readStoredReports(dir),
      );
      out.result({ evidenceDir: dir, plan });
      for (const p of plan) {
        const padded = p.status.padEnd(10);
        const status =
          p.status === 'overdue'
            ? out.red(padded)
            : p.status.startsWith('done')
              ? out.green(padded)
              : padded;
        out.info(
          `${p.quarter}  ${p.drill.padEnd(46)} ${status} ${p.command ?? `— ${p.note}`}${p.evidence ? `  (${p.evidence})` : ''}`,
        );
      }
    });
  return cmd;
}

/** What every drill command prints first: the result document (`--json`) and the verdict. */
function announce(out: Output, res: { report: DrillReport; files: { markdown: string } }): void {
  out.result({ report: res.report, files: res.files });
  out.info(
    `${res.report.outcome === 'passed' ? out.green('PASSED') : out.red('FAILED')} ${res.report.title}`,
  );
}

/** What every drill command prints last; a failed drill exits 11 with `failure`. */
function conclude(
  out: Output,
  res: { report: DrillReport; files: { markdown: string } },
  failure: string,
): void {
  out.info(`  report: ${res.files.markdown}`);
  if (res.report.outcome !== 'passed')
    throw new DrError('VALIDATION_FAILED', failure, { hint: `see ${res.files.markdown}` });
}
