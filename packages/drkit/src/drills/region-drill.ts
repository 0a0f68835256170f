import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import type { ExecutionResult } from '../engine/executor.js';
import { labUpAlerting, type LabAlerting } from '../lab/alerting.js';
import { HealthDetector } from '../lab/health-detector.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider, type LabProvider } from '../lab/provider.js';
import { labUpRegions, LINK_A_B, requireWan, type RegionProvider } from '../lab/regions.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { judge, type DrillReport } from '../report/drill-report.js';
import { bindLab } from '../providers/lab/index.js';
import { cutbackRunbook } from '../runbooks/cutback/index.js';
import type { RunbookEntry } from '../runbooks/entry.js';
import { regionFailover, type RegionState } from '../runbooks/region-failover/index.js';
import { runRunbook } from '../runbooks/run.js';
import { switchoverRunbook } from '../runbooks/switchover/index.js';
import { sleep } from '../util/net.js';
import {
  awaitPrimaryUpInPrometheus,
  waitForAlert,
  type AlertDetection,
} from './alert-detection.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { checkSplitBrainFence, type FenceCheck } from './fence-check.js';
import { measureDataLoss, measureRecovery, readWorkloadLog, rpoGapsText } from './measure.js';
import { failedButPresent, partitionFacts, standbyPosition, type Partition } from './partition.js';
import { servedBy, writeOutageByTask } from './region-measure.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';

/** The three region game days. */
export type RegionScenario = 'region-failover' | 'switchover' | 'cutback';

/** Options of {@link runRegionDrill}. */
export interface RegionDrillOptions extends DrillOptions {
  readonly scenario: RegionScenario;
  /** Synchronous replication A → B. @default config.lab.regions.synchronous */
  readonly synchronous?: boolean;
  /** Stop region B's standby before the fault: RB-N-01 must restore from the latest backup. @default false */
  readonly breakStandby?: boolean;
  /** Restart the old primary and region A's app after a failover and prove they take nothing. @default true */
  readonly checkFence?: boolean;
  /**
   * `region-failover` only: cut the inter-region link (`link-a-b`, HAProxy runtime API) this
   * many seconds before T0 while the workload keeps writing to A; healed after RB-N-01.
   * @default 0 (no partition)
   */
  readonly partitionSeconds?: number;
  /**
   * `region-failover` only: the drill lab runs Prometheus and Alertmanager (`lab up
   * --alerting`), and RB-N-01 starts when the PrimaryDown alert reaches drkit's receiver
   * instead of when the drill's health detector declares: detection measured by real alerting.
   * @default false
   */
  readonly alerting?: boolean;
}

export interface RegionDrillResult extends DrillResult {
  readonly state: RegionState;
  readonly fence: FenceCheck | undefined;
}

/**
 * Region game days on a two-region lab of their own, with the workload writing through the
 * front door: `region-failover` (SIGKILL every region-A process at T0; the health detector
 * declares; RB-N-01), `switchover` (planned, RPO 0 asserted) and `cutback` (after a failover,
 * RB-N-08 back to A, RPO 0 asserted). Measures RTO, RPO (lost acknowledged writes: count and
 * seconds), detection, promotion, write unavailability and every step; writes the evidence.
 */
export async function runRegionDrill(o: RegionDrillOptions): Promise<RegionDrillResult> {
  const say = o.progress ?? (() => undefined);
  if (
    o.partitionSeconds !== undefined &&
    (!(o.partitionSeconds >= 0) || !Number.isFinite(o.partitionSeconds))
  )
    throw new UsageError(`--partition takes seconds ≥ 0, not ${o.partitionSeconds}`);
  if (o.partitionSeconds && (o.scenario !== 'region-failover' || o.breakStandby)) {
    throw new UsageError('a partition runs only in the region-failover drill with a live standby', {
      hint: 'drop --partition, or --break-standby',
    });
  }
  if (o.alerting && o.scenario !== 'region-failover')
    throw new UsageError('--alerting runs only in the region-failover drill', {
      hint: 'drop --alerting',
    });
  const startedAt = new Date();
  const drillId = `${o.scenario}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', drillId);
  mkdirSync(drillDir, { recursive: true });
  claimDrillDir(drillDir); // a killed drill's servers are reaped by the next `lab up|down`
  const synchronous = o.synchronous ?? o.config.lab.regions.synchronous;
  const config: DrkitConfig = {
    ...o.config,
    stateDir: drillDir,
    lab: {
      ...o.config.lab,
      seed: { ...o.config.lab.seed, users: o.seedUsers ?? 200 },
      regions: { ...o.config.lab.regions, standby: true, synchronous },
    },
  };
  const p = labProvider(config, o.baseDir);
  const { events, spans, mark, steps } = drillTimeline(say);
  // the drill runs its runbook as `drkit runbook run` does: the lab provider's ports, the entry
  const provider = bindLab(config, o.baseDir);
  const run = async (entry: RunbookEntry<RegionState>, raw: Record<string, unknown>) => {
    const res = await runRunbook(entry, provider, raw, {
      yes: true,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    steps(res.summary);
    return res;
  };
  let workload: WorkloadProcess | undefined;
  let watcher: HealthDetector | undefined;
  let partition: Partition | undefined;
  const logFile = path.join(drillDir, 'workload.jsonl');
  try {
    const s0 = new Date();
    const { lab, regions } = await labUpRegions(p, config, { progress: say });
    spans.push({
      name: 'lab up (2 regions)',
      start: s0.toISOString(),
      end: new Date().toISOString(),
      outcome: 'succeeded',
      durationMs: Date.now() - s0.getTime(),
      kind: 'phase',
    });
    let alerting: LabAlerting | undefined;
    if (o.alerting) {
      alerting = await labUpAlerting(p, config, {
        baseDir: o.baseDir,
        ...(regions.topology.frontDoorMetricsPort
          ? { haproxyMetricsPort: regions.topology.frontDoorMetricsPort }
          : {}),
        progress: say,
      });
      await awaitPrimaryUpInPrometheus(alerting, regions.topology.clusters.a!);
      mark(
        'alerting up',
        new Date(),
        `Prometheus http://127.0.0.1:${alerting.prometheusPort} sees ${regions.topology.clusters.a} as primary; Alertmanager → drkit's receiver`,
      );
    }
    workload = await startWorkloadProcess({
      frontDoor: regions.router.url,
      logFile,
      rate: config.lab.workload.writesPerSecond,
      maxUserId: lab.seeded.users,
    });
    mark('workload started', new Date(), `HTTP through the front door ${regions.router.url}`);
    const hcfg = config.lab.healthCheck;
    const detector = () =>
      new HealthDetector({
        targets: regions.topology.slots
          .filter((s) => s.region === 'a')
          .map((s) => `127.0.0.1:${s.port}`),
        intervalMs: hcfg.intervalMs,
        failureThreshold: hcfg.failureThreshold,
        timeoutMs: hcfg.timeoutMs,
      });
    const partitionSeconds = o.scenario === 'region-failover' ? (o.partitionSeconds ?? 0) : 0;
    // The detector watches from before the warm-up, so T0 falls at a random phase of its
    // probe interval (detection takes (threshold − 1) to threshold intervals), as in production.
    // With a partition it starts at the end of it instead: the detector declares the loss of
    // region A (T0), not the partition before it.
    // With alerting the alert declares the incident: no detector.
    watcher =
      o.scenario === 'region-failover' && !partitionSeconds && !alerting ? detector() : undefined;
    watcher?.start();
    await sleep(
      (o.warmupSeconds ?? 3) * 1000 + (partitionSeconds ? 0 : Math.random() * hcfg.intervalMs),
    );
    if (partitionSeconds > 0) {
      const link = requireWan(regions).link(LINK_A_B);
      const cutAt = new Date();
      await link.cut();
      const atCut = await standbyPosition(
        p.clusters,
        regions.topology.clusters.a!,
        regions.topology.clusters.b!,
      );
      partition = { link, cutAt, atCut };
      mark(
        'partition',
        cutAt,
        `inter-region link ${link.name} cut (HAProxy maint + shutdown sessions): B's standby ${atCut.receiver === 'streaming' ? 'still streaming' : 'disconnected'}, the workload keeps writing to A for ${partitionSeconds} s`,
      );
      // The detector starts inside the partition at a random phase of its interval before T0.
      const phase = Math.min(Math.random() * hcfg.intervalMs, partitionSeconds * 1000);
      await sleep(partitionSeconds * 1000 - phase);
      if (!alerting) {
        watcher = detector();
        watcher.start();
      }
      await sleep(phase);
      partition.atFault = await standbyPosition(
        p.clusters,
        regions.topology.clusters.a!,
        regions.topology.clusters.b!,
      );
    }

    let t0: Date;
    let deadAt: Date | undefined;
    let detection: { declaredAt: Date } | undefined;
    let alert: AlertDetection | undefined;
    let res;
    let fence: FenceCheck | undefined;
    const hc = config.lab.healthCheck;
    if (o.scenario === 'cutback') {
      await failOver(p, regions, mark, run);
      await sleep(3000);
      t0 = new Date();
      mark('T0', t0, 'RB-N-08 cutback started');
      res = await run(cutbackRunbook, { reason: 'drill: cutback' });
    } else if (o.scenario === 'switchover') {
      t0 = new Date();
      mark('T0', t0, 'planned switchover started');
      res = await run(switchoverRunbook, { reason: 'drill: planned switchover' });
    } else {
      if (o.breakStandby) {
        await p.clusters.stop(regions.topology.clusters.b!, 'immediate');
        mark('standby broken', new Date(), 'region B standby stopped before the fault');
      }
      t0 = new Date();
      const killed = [
        ...regions.compute.killRegion('a'),
        ...(await p.clusters.killAll(regions.topology.clusters.a!)),
      ];
      deadAt = new Date();
      mark(
        'T0',
        t0,
        `fault injected: SIGKILL of every region-A process (${killed.length} pids, all dead ${deadAt.getTime() - t0.getTime()} ms later)`,
      );
      if (alerting) {
        alert = await waitForAlert(alerting, {
          alertname: 'PrimaryDown',
          cluster: regions.topology.clusters.a!,
          after: t0,
        });
        detection = { declaredAt: alert.receivedAt };
        mark('alert fired', alert.firedAt, `Prometheus: PrimaryDown(${alert.cluster}) firing`);
        mark(
          'detected',
          alert.receivedAt,
          "Alertmanager delivered PrimaryDown to drkit's receiver (notifier told); RB-N-01 started",
        );
      } else {
        const incident = await watcher!.incident;
        detection = incident;
        mark(
          'detected',
          incident.declaredAt,
          `health detector: ${incident.failedRounds} failed rounds × ${hc.intervalMs} ms; RB-N-01 started`,
        );
      }
      res = await run(regionFailover, {
        trigger: alert ? 'alert' : 'detector',
        reason: 'drill: region A lost',
      });
      if (partition) {
        // Healed so RB-N-08 can later rebuild B as a standby of A through the same link.
        await partition.link.heal();
        partition.healedAt = new Date();
        mark(
          'link healed',
          partition.healedAt,
          `${partition.link.name} ready again (region A is gone and fenced)`,
        );
        spans.push({
          name: `link ${partition.link.name} cut`,
          start: partition.cutAt.toISOString(),
          end: partition.healedAt.toISOString(),
          outcome: 'succeeded',
          durationMs: partition.healedAt.getTime() - partition.cutAt.getTime(),
          kind: 'phase',
        });
      }
    }
    const st = res.state;
    if (st.promotedAt)
      mark(
        'promoted',
        new Date(Date.parse(st.promotedAt) + (st.promotionMs ?? 0)),
        `${st.newPrimary} writable (${st.decision ?? 'promote'})`,
      );
    await sleep((o.sustainSeconds ?? 4) * 1000);
    await workload.stop();
    workload = undefined;
    if (o.scenario === 'region-failover' && o.checkFence !== false) {
      fence = await checkSplitBrainFence(p, regions, st.fromCluster);
      mark(
        'fence checked',
        new Date(),
        fence.ok
          ? 'old primary takes no writes and no traffic'
          : `FENCE BROKEN: ${fence.problems.join('; ')}`,
      );
    }

    const records = readWorkloadLog(logFile);
    const recovery = measureRecovery(records, t0, {
      cluster: st.newPrimary!,
      sustainMs: 3000,
      minWrites: 5,
    });
    if (recovery.recoveredAt)
      mark(
        'recovered',
        recovery.recoveredAt,
        `first sustained write through the front door on '${st.newPrimary}'`,
      );
    const client = await p.connect({ ...st.newEndpoint!, database: lab.database });
    let loss;
    try {
      loss = await measureDataLoss(records, client, t0, { oldCluster: st.fromCluster });
      if (partition)
        partition.failedButPresent = await failedButPresent(
          records,
          client,
          partition.cutAt,
          new Date(t0.getTime() + 5000),
        );
    } finally {
      await client.end();
    }
    // Across every task: freeze and unfreeze reach the tasks at different moments.
    const outage = writeOutageByTask(records, new Date(t0.getTime() - 1000));
    const unavailable = outage.worst;
    const pf = partition
      ? partitionFacts(partition, partitionSeconds, records, t0, loss.lostAcks, deadAt)
      : undefined;
    const planned = o.scenario !== 'region-failover';
    // A planned move starts with writes still succeeding: its RTO runs from the moment the first
    // task stopped acknowledging (the outage's start), not from the runbook's start.
    const rtoFrom = planned && unavailable.start ? new Date(unavailable.start) : t0;
    const achieved = {
      rtoSeconds: recovery.recoveredAt
        ? (recovery.recoveredAt.getTime() - rtoFrom.getTime()) / 1000
        : undefined,
      rpoSeconds: loss.rpoSeconds,
      rpoResolutionSeconds: loss.rpoResolutionSeconds,
      rpoUpperBoundSeconds: loss.rpoUpperBoundSeconds,
      lostWrites: loss.lost,
      acknowledgedWrites: loss.acknowledged,
    };
    const verdict = judge(config.targets, achieved);
    const rpoZeroRequired = planned || synchronous;
    const stepMs = (id: string) => spans.find((s) => s.name === id)?.durationMs ?? null;
    const ok =
      verdict.met.rto &&
      verdict.met.rpo &&
      (!rpoZeroRequired || loss.lost === 0) &&
      (fence?.ok ?? true) &&
      st.postChecks?.ok === true;
    const report: DrillReport = {
      scenario: o.scenario,
      drillId,
      title:
        TITLES[o.scenario] +
        (o.scenario === 'region-failover'
          ? ` — ${synchronous ? 'synchronous' : 'asynchronous'} replication${o.breakStandby ? ', standby broken' : ''}${partition ? `, inter-region link cut ${partitionSeconds} s before the fault` : ''}`
          : ''),
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      outcome: ok ? 'passed' : 'failed',
      targets: config.targets,
      achieved,
      ...verdict,
      events: events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
      spans: spans.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
      facts: {
        replication: synchronous ? 'synchronous' : 'asynchronous',
        decision: st.decision ?? 'promote',
        newPrimary: st.newPrimary ?? null,
        detectionSeconds: detection ? (detection.declaredAt.getTime() - t0.getTime()) / 1000 : null,
        detectedBy: alert
          ? "alerting: PrimaryDown received by drkit's receiver (Prometheus → Alertmanager)"
          : detection
            ? 'the drill health detector'
            : null,
        alertFiredSeconds: alert ? (alert.firedAt.getTime() - t0.getTime()) / 1000 : null,
        alertFiredAt: alert ? alert.firedAt.toISOString() : null,
        alertReceivedAt: alert ? alert.receivedAt.toISOString() : null,
        healthCheck: `${hc.intervalMs} ms × ${hc.failureThreshold} failures (rise ${hc.rise})`,
        promotionSeconds: st.promotionMs !== undefined ? st.promotionMs / 1000 : null,
        writeUnavailabilitySeconds: unavailable.seconds,
        writeUnavailabilityDefinition:
          'the worst write outage a client of any app task saw: the earliest last ack of any task before the outage → the latest first ack of any task after it (workload log, acks by task)',
        writeUnavailabilityOneClientSeconds: outage.anyTask.seconds,
        writeUnavailabilityByTask: outage.tasks
          .map((t) => `${t.task} ${t.seconds.toFixed(3)} s`)
          .join(', '),
        writeUnavailabilityWindow: unavailable.start
          ? `${unavailable.start} … ${unavailable.end}`
          : null,
        rpoZeroRequired,
        writesAcknowledged: loss.acknowledged,
        writesLost: loss.lost,
        lostWindow: loss.oldestLostAt ? `${loss.oldestLostAt} … ${loss.newestLostAt}` : null,
        rpoGapsByTask: rpoGapsText(loss.rpoGaps),
        finalLsn: st.finalLsn ?? null,
        replayedLsn: st.replayedLsn ?? null,
        rejoin: st.rejoin
          ? `${st.rejoin.cluster} by ${st.rejoin.method} in ${(st.rejoin.durationMs / 1000).toFixed(2)} s`
          : null,
        smoke:
          st.postChecks?.smoke.map((s) => `${s.name}:${s.ok ? 'ok' : 'FAIL'}`).join(' ') ?? null,
        standbysAfter:
          st.postChecks?.standbys
            .map((s) => `${s.name} ${s.syncState} lag ${s.lagBytes} B`)
            .join(', ') || 'none',
        servedAfterT0: JSON.stringify(servedBy(records, t0)),
        fence: fence ? (fence.ok ? 'held' : `BROKEN: ${fence.problems.join('; ')}`) : null,
        fenceDetails: fence ? fence.facts.join('; ') : null,
        stepDurationsMs: JSON.stringify(
          Object.fromEntries(
            spans.filter((s) => s.kind === 'step').map((s) => [s.name, s.durationMs]),
          ),
        ),
        promoteStepMs: stepMs('promote-standby'),
        workloadRatePerSecond: config.lab.workload.writesPerSecond,
        ...pf,
      },
      followUps: [
        ...(pf ? partitionFollowUp(pf, synchronous) : []),
        ...followUps(o.scenario, loss.lost, synchronous),
      ],
      executionId: res.executionId,
      sources: {
        'RTO, RPO, write outage, acknowledged and lost writes': `workload log ${logFile} (one JSON line per write through the front door: ack/refused/fail, ref, time, task, cluster); presence of each acknowledged ref by client_ref in orders on '${st.newPrimary}'`,
        ...(alerting
          ? {
              'detection (alert fired, received)': `drkit's alert receiver record ${alerting.alertsFile} (startsAt from Prometheus, receivedAt from drkit)`,
            }
          : {}),
        'step times, LSNs, post-checks': `runbook journal ${path.join(p.paths.journalDir, `${res.executionId}.jsonl`)}`,
      },
      bands: [
        ...(unavailable.start && unavailable.end
          ? [
              {
                kind: 'outage' as const,
                start: unavailable.start,
                end: unavailable.end,
                label: `worst write outage ${unavailable.seconds.toFixed(2)} s (any task)`,
              },
            ]
          : []),
        ...(loss.oldestLostAt && loss.newestLostAt
          ? [
              {
                kind: 'loss' as const,
                start: loss.oldestLostAt,
                end: loss.newestLostAt,
                label: `${loss.lost} acknowledged writes lost`,
              },
            ]
          : []),
      ],
      definitions: {
        rto: planned
          ? `first sustained successful write through the front door on '${st.newPrimary}' − the start of the write outage (the earliest last ack of any app task, ${unavailable.start ?? 'none'}): the time writes still succeeded after the runbook started is not counted (workload log)`
          : `first acknowledged write through the front door on '${st.newPrimary}' followed by 3 s of sustained success − T0 (the SIGKILL of region A; workload log)`,
        rpo: `${loss.rpoDefinition} (workload log; presence by client_ref on '${st.newPrimary}')`,
        rpoResolution: `${loss.rpoResolutionDefinition} (workload log; per task: fact rpoGapsByTask)`,
        rpoUpperBound: loss.rpoUpperBoundDefinition,
      },
    };
    return { ...drillResult(o, report, drillDir), state: st, fence };
  } finally {
    watcher?.stop();
    if (partition && !partition.healedAt) await partition.link.heal().catch(() => undefined);
    await workload?.stop();
    provider.close();
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    releaseDrillDir(drillDir); // ended (or kept on purpose): nothing to reap
  }
}

const TITLES: Record<RegionScenario, string> = {
  'region-failover': 'Q2 drill — unplanned region failover A → B (RB-N-01)',
  switchover: 'Planned switchover A → B (RPO 0)',
  cutback: 'Cutback B → A after a failover (RB-N-08, RPO 0)',
};

/** The cutback drill's unmeasured setup: region A lost and RB-N-01 run. */
async function failOver(
  p: LabProvider,
  regions: RegionProvider,
  mark: (n: string, at?: Date, note?: string) => void,
  run: (
    entry: RunbookEntry<RegionState>,
    raw: Record<string, unknown>,
  ) => Promise<ExecutionResult<RegionState>>,
): Promise<void> {
  regions.compute.killRegion('a');
  await p.clusters.killAll(regions.topology.clusters.a!);
  mark('setup: region A lost', new Date());
  await run(regionFailover, { trigger: 'drill setup', reason: 'drill setup: region A lost' });
  mark('setup: failed over to B', new Date());
}

function partitionFollowUp(
  f: Record<string, string | number | null>,
  synchronous: boolean,
): string[] {
  const out: string[] = [];
  if (synchronous) {
    out.push(
      `the ${f.partitionSeconds} s partition blocked commits on A (synchronous standby away): ${f.writesAcknowledgedDuringPartition} writes acknowledged and ${f.writesFailedDuringPartition} failed during it — RPO 0 was bought with write availability`,
    );
  } else {
    out.push(
      `a ${f.partitionSeconds} s partition before the fault: ${f.lostOfPartitionAcks} of the ${f.writesAcknowledgedDuringPartition} writes acknowledged during it were lost, ${f.partitionAcksOnBAnyway} reached B anyway, through the WAL archive or in flight at the cut (B at T0: ${f.standbyAtFault}) — alert on a disconnected standby / replication lag before a regional outage follows`,
    );
  }
  if (Number(f.failedWritesPresentAfterRecovery) > 0) {
    out.push(
      `${f.failedWritesPresentAfterRecovery} writes the client saw fail are on the new primary all the same (committed on A, carried to B by the WAL archive): client retries must be idempotent (the workload's client_ref is)`,
    );
  }
  return out;
}

function followUps(scenario: RegionScenario, lost: number, synchronous: boolean): string[] {
  const out: string[] = [];
  if (scenario === 'region-failover') {
    if (lost > 0)
      out.push(
        `${lost} acknowledged writes were only on region A when it died (asynchronous replication): enable lab.regions.synchronous for RPO 0, at the cost of commit latency and of writes blocking while the standby is away`,
      );
    if (!synchronous && lost === 0)
      out.push(
        'no write was lost this time, but asynchronous replication does not promise it: the loss is bounded by the replication lag at T0',
      );
    out.push(
      'region B runs without a standby until RB-N-08 rebuilds region A: cut back, or build a new standby, soon',
    );
  }
  if (scenario !== 'region-failover' && lost > 0)
    out.push(
      `RPO 0 VIOLATED: ${lost} acknowledged writes lost in a planned move — investigate before the next one`,
    );
  return out;
}
