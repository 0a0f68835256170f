import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DrkitConfig } from '../config/schema.js';
import { readAppConfig } from '../lab/app-config.js';
import { LabCompute } from '../adapters/lab-compute/index.js';
import { labUpAlerting } from '../lab/alerting.js';
import { labUp } from '../lab/lab.js';
import { ensureDelayedStandby } from '../lab/delayed-standby.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider, type LabProvider } from '../lab/provider.js';
import { appsDir } from '../lab/regions.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { bindLab } from '../providers/lab/index.js';
import { withPorts } from '../providers/provider.js';
import { judge, type DrillBand, type DrillReport } from '../report/drill-report.js';
import { pitrRestore } from '../runbooks/pitr-restore/index.js';
import { runRunbook } from '../runbooks/run.js';
import { freePort, sleep } from '../util/net.js';
import { measureStaleReads, type StaleReadsResult } from '../validate/stale-reads.js';
import { snapshotChecksums } from '../validate/suite.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { measureDataLoss, measureRecovery, readWorkloadLog, rpoGapsText } from './measure.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';
import {
  awaitPrimaryUpInPrometheus,
  awaitSeriesInPrometheus,
  waitForAlert,
  type AlertDetection,
} from './alert-detection.js';

/** Options of `drkit drill pitr`. */
export interface PitrDrillOptions extends DrillOptions {
  /** Seconds between the fault and the incident being declared (a human noticing). @default 0 */
  readonly detectionDelaySeconds?: number;
  /**
   * Build the delayed standby with this apply delay (seconds) and run RB-N-02 with `path=fast`:
   * the warm-up lasts until it has replayed a commit. @default none: no delayed standby, the
   * path is chosen automatically (classic)
   */
  readonly fastApplyDelaySeconds?: number;
  /**
   * The drill lab runs Prometheus and Alertmanager (`lab up --alerting`) and RB-N-02 starts
   * when the MassDeleteOnCoreTable alert reaches drkit's receiver, instead of at once (or after
   * `detectionDelaySeconds`): detection measured by real alerting. The delete must exceed
   * `posture.massDeleteRows` (a third of the orders). @default false
   */
  readonly alerting?: boolean;
}

export type PitrDrillResult = DrillResult;

/**
 * The Q1 game day: a lab of its own (with `alerting`, Prometheus and Alertmanager too) → workload
 * running → checksums → a bad mass delete at T0 → (with `alerting`: MassDeleteOnCoreTable
 * received) →
 * RB-N-02 restores to just before it → validation against the checksums taken before the
 * corruption → RTO and RPO measured from the workload client's log → evidence report.
 */
export async function runPitrDrill(o: PitrDrillOptions): Promise<PitrDrillResult> {
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const drillId = `pitr-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', drillId);
  mkdirSync(drillDir, { recursive: true });
  claimDrillDir(drillDir); // a killed drill's servers are reaped by the next `lab up|down`
  // The drill's lab lives in its own state dir, so it never disturbs a lab the user runs.
  const config: DrkitConfig = {
    ...o.config,
    stateDir: drillDir,
    lab: {
      ...o.config.lab,
      seed: { ...o.config.lab.seed, ...(o.seedUsers !== undefined ? { users: o.seedUsers } : {}) },
    },
  };
  const p = labProvider(config, o.baseDir);
  const { events, spans, mark, phase, steps } = drillTimeline(say);
  let workload: WorkloadProcess | undefined;
  let compute: LabCompute | undefined;
  const logFile = path.join(drillDir, 'workload.jsonl');
  try {
    const lab = await phase('lab up', () => labUp(p, config, { progress: say }));
    const alerting = o.alerting
      ? await phase('alerting up', () =>
          labUpAlerting(p, config, { baseDir: o.baseDir, progress: say }),
        )
      : undefined;
    // The app's tasks take the writes (each re-reads global_readonly on its own clock), so the
    // freeze is confirmed by every task and the loss is what clients of each task saw.
    const slots = [];
    const taken = new Set([p.clusters.get(lab.primary).port]);
    while (slots.length < config.lab.regions.appTasksA) {
      const port = await freePort(); // may repeat until bound: keep the ports distinct
      if (taken.has(port)) continue;
      taken.add(port);
      slots.push({ id: `a-${slots.length + 1}`, region: 'a', port });
    }
    // where `lab down` finds them: a killed drill's tasks are reaped with its servers
    compute = new LabCompute(appsDir(p), p.paths.secretsDir, slots);
    const tasks = compute;
    await phase('app tasks up', () => tasks.scale('a', slots.length));
    // the users read for the stale-read check are the last ones, which the workload never
    // writes for: its writes would drop their cached keys and hide what the flush is for
    const staleUsers = Math.min(STALE_READ_USERS, Math.floor(lab.seeded.users / 2));
    workload = await startWorkloadProcess({
      frontDoor: slots.map((s) => `http://127.0.0.1:${s.port}`).join(','),
      logFile,
      rate: config.lab.workload.writesPerSecond,
      maxUserId: Math.max(1, lab.seeded.users - staleUsers),
    });
    mark('workload started');
    await sleep((o.warmupSeconds ?? 3) * 1000);
    if (o.fastApplyDelaySeconds !== undefined) {
      const delay = o.fastApplyDelaySeconds;
      await phase('delayed standby replaying', async () => {
        await ensureDelayedStandby(p, config, lab.primary, {
          applyDelaySeconds: delay,
          progress: say,
        });
        // its window is known once it replayed a commit of the workload (≈ the delay)
        for (let i = 0; i < (delay + 120) * 2; i++) {
          if ((await p.database.delayedStandbys(lab.primary))[0]?.healthy) return;
          await sleep(500);
        }
        throw new Error(
          `delayed standby of '${lab.primary}' replayed no commit within ${delay + 120} s`,
        );
      });
    }
    const app = await readAppConfig(p.secrets);
    const checksumsFile = path.join(drillDir, 'expected-checksums.json');
    await phase('checksums before corruption', async () => {
      const c = await p.connect(app.db);
      try {
        writeFileSync(checksumsFile, JSON.stringify(await snapshotChecksums(c), null, 2));
      } finally {
        await c.end();
      }
    });
    await sleep(2000); // writes after the checksums must survive the restore too

    if (alerting) {
      // The deleted-row counter must be in Prometheus before the delete: increase() needs a
      // sample on each side of it.
      await awaitPrimaryUpInPrometheus(alerting, app.dbClusterId);
      await awaitSeriesInPrometheus(
        alerting,
        `drkit_table_rows_deleted_total{cluster="${app.dbClusterId}",table="orders"}`,
      );
      mark(
        'alerting up',
        new Date(),
        `Prometheus http://127.0.0.1:${alerting.prometheusPort} reads the orders' deleted-row counter; Alertmanager → drkit's receiver`,
      );
    }
    const { t0, restoreTarget, deleted } = await injectMassDelete(p, app.db);
    mark('T0', t0, `fault injected: mass delete of ${deleted} orders`);
    // users look at their profiles during the incident: the app caches what the fault left
    const taskBase = `http://127.0.0.1:${slots[0]!.port}`;
    const readDuringIncident = Array.from(
      { length: staleUsers },
      (_, i) => lab.seeded.users - staleUsers + 1 + i,
    );
    for (const id of readDuringIncident)
      await fetch(`${taskBase}/users/${id}`).catch(() => undefined);
    let alert: AlertDetection | undefined;
    if (alerting) {
      alert = await waitForAlert(alerting, {
        alertname: 'MassDeleteOnCoreTable',
        cluster: app.dbClusterId,
        after: t0,
      });
      mark(
        'alert fired',
        alert.firedAt,
        `Prometheus: MassDeleteOnCoreTable(${alert.cluster}) firing`,
      );
      mark(
        'detected',
        alert.receivedAt,
        "Alertmanager delivered MassDeleteOnCoreTable to drkit's receiver (notifier told); RB-N-02 started",
      );
    } else {
      await sleep((o.detectionDelaySeconds ?? 0) * 1000);
      mark('detected', new Date(), 'incident declared, RB-N-02 started');
    }
    const detectedAt = alert?.receivedAt ?? new Date();

    // RB-N-02 through the same entry and executor as `drkit runbook run rb-n-02`
    const res = await runRunbook(
      pitrRestore,
      // the drill's own app tasks take the writes: the freeze is confirmed by each of them
      withPorts(bindLab(config, o.baseDir), {
        appTasks: () => ({ kind: 'lab', list: () => tasks.appTasks() }),
      }),
      {
        source: app.dbClusterId,
        target: restoreTarget.toISOString(),
        newClusterId: `dr-${app.dbClusterId}`,
        expectedChecksums: checksumsFile,
        appConfigSecret: 'drkit/app',
        reason: 'drill: bad mass delete',
        path: o.fastApplyDelaySeconds !== undefined ? 'fast' : 'auto',
      },
      {
        yes: true,
        drill: true, // the status page does not notify subscribers
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      },
    );
    steps(res.summary);
    await sleep((o.sustainSeconds ?? 5) * 1000);
    await workload.stop();
    workload = undefined;

    const records = readWorkloadLog(logFile);
    const restoredId = res.state.restoredClusterId!;
    const recovery = measureRecovery(records, t0, { cluster: restoredId });
    if (recovery.recoveredAt)
      mark('recovered', recovery.recoveredAt, `first sustained write on '${restoredId}'`);
    const target = await p.connect({ ...res.state.restoredEndpoint!, database: app.db.database });
    let loss;
    let stale: StaleReadsResult;
    try {
      loss = await measureDataLoss(records, target, t0, {
        oldCluster: res.state.source,
        recoveryPoint: restoreTarget,
      });
      // the workload has stopped: nothing changes the database between the app's answer and ours
      stale = await measureStaleReads(taskBase, target, { users: readDuringIncident, orders: [] });
    } finally {
      await target.end();
    }
    const achieved = {
      rtoSeconds: recovery.rtoSeconds,
      rpoSeconds: loss.rpoSeconds,
      rpoResolutionSeconds: loss.rpoResolutionSeconds,
      rpoUpperBoundSeconds: loss.rpoUpperBoundSeconds,
      lostWrites: loss.lost,
      acknowledgedWrites: loss.acknowledged,
    };
    const verdict = judge(config.targets, achieved);
    // The outage clients saw: the last write the old cluster acknowledged → recovery.
    const lastOldAck = records
      .filter((x) => x.type === 'ack' && x.cluster === res.state.source)
      .reduce<string | undefined>((m, x) => (m === undefined || x.at > m ? x.at : m), undefined);
    const bands: DrillBand[] = [];
    if (lastOldAck && recovery.recoveredAt)
      bands.push({
        kind: 'outage',
        start: lastOldAck,
        end: recovery.recoveredAt.toISOString(),
        label: `write outage ${((recovery.recoveredAt.getTime() - Date.parse(lastOldAck)) / 1000).toFixed(2)} s`,
      });
    if (loss.newestLostAt)
      bands.push({
        kind: 'loss',
        start: restoreTarget.toISOString(),
        end: loss.newestLostAt,
        label: `${loss.lost} acknowledged writes lost (RPO ${loss.rpoSeconds.toFixed(2)} s)`,
      });
    const endedAt = new Date();
    const report: DrillReport = {
      scenario: 'pitr',
      drillId,
      title: 'Q1 drill — PostgreSQL point-in-time restore after a bad mass delete (RB-N-02)',
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      outcome:
        verdict.met.rto && verdict.met.rpo && res.state.validation?.ok && stale.stale.length === 0
          ? 'passed'
          : 'failed',
      targets: config.targets,
      achieved,
      ...verdict,
      events: events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
      spans: spans.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
      facts: {
        source: res.state.source,
        restoredCluster: restoredId,
        restoreTarget: res.state.target,
        corruptionAt: t0.toISOString(),
        rowsDeletedByFault: deleted,
        restorePath: `${res.state.restorePath ?? 'classic'} — ${res.state.pathReason ?? ''}${res.state.fallbackReason ? ` (fast path refused at run time: ${res.state.fallbackReason})` : ''}`,
        ...(res.state.delayedStandbyRebuiltAt
          ? { delayedStandbyRebuiltAt: res.state.delayedStandbyRebuiltAt }
          : {}),
        detectedBy: alert
          ? "alerting: MassDeleteOnCoreTable received by drkit's receiver (Prometheus → Alertmanager)"
          : `the drill (declared ${o.detectionDelaySeconds ?? 0} s after T0)`,
        detectionSeconds: (detectedAt.getTime() - t0.getTime()) / 1000,
        alertFiredSeconds: alert ? (alert.firedAt.getTime() - t0.getTime()) / 1000 : null,
        alertFiredAt: alert ? alert.firedAt.toISOString() : null,
        alertReceivedAt: alert ? alert.receivedAt.toISOString() : null,
        restoreDurationSeconds: (res.state.restoreDurationMs ?? 0) / 1000,
        restorePhases: (res.state.restorePhases ?? [])
          .map((ph) => `${ph.phase} ${(ph.durationMs / 1000).toFixed(2)}s`)
          .join(', '),
        appTasks: slots.map((s) => s.id).join(', '),
        freezeConfirmedBy: res.state.freezeConfirmation
          ? res.state.freezeConfirmation.tasks
              .map((c) => `${c.task} (generation ${c.generation}, ${c.confirmedAt})`)
              .join('; ') + ` — after ${res.state.freezeConfirmation.waitedMs} ms`
          : 'not confirmed',
        validation: res.state.validation?.ok
          ? `OK (${res.state.validation.rowsChecked} rows compared, ${res.state.validation.durationMs} ms)`
          : 'FAILED',
        writesAcknowledged: loss.acknowledged,
        writesLost: loss.lost,
        lastWriteOnOldCluster: lastOldAck ?? null,
        lostWindow: loss.oldestLostAt ? `${loss.oldestLostAt} … ${loss.newestLostAt}` : null,
        rpoGapsByTask: rpoGapsText(loss.rpoGaps),
        workloadRatePerSecond: config.lab.workload.writesPerSecond,
        seedUsers: lab.seeded.users,
        seedOrders: lab.seeded.orders,
        staleReadsAfterRestore: stale.stale.length,
        staleReadsChecked: stale.reads,
        staleReadExamples: stale.stale
          .slice(0, 3)
          .map((x) => `${x.path} served '${x.served}', database '${x.truth}'`)
          .join('; '),
        cacheKeysFlushed: res.state.cacheFlush
          ? res.state.cacheFlush.keysDeleted
          : 'not flushed (no cache)',
      },
      followUps: followUps(achieved, o),
      executionId: res.executionId,
      bands,
      sources: {
        'RTO, RPO, acknowledged and lost writes': `workload log ${logFile} (one JSON line per write: ack/refused/fail, ref, ack time, task, cluster); presence of each acknowledged ref by \`SELECT client_ref FROM orders WHERE client_ref = ANY($1::uuid[])\` on '${restoredId}'`,
        'T0 and restore target':
          'the fault injector: `SELECT now()` in the delete transaction (restore target), the client clock at its COMMIT (T0)',
        'step times, freeze confirmation, validation': `runbook journal ${path.join(p.paths.journalDir, `${res.executionId}.jsonl`)}`,
        'expected checksums': checksumsFile,
        'stale reads after restore': `users ${readDuringIncident[0] ?? '-'}…${readDuringIncident[readDuringIncident.length - 1] ?? '-'} (the workload writes for the others only) read through task ${slots[0]!.id} right after T0 (so cached by the app with what the fault left); after the runbook and with the workload stopped, each read again through the same task and compared with \`SELECT … FROM users\` (name, email, order count) on '${restoredId}' read right after: a read is stale when the two differ (validate/stale-reads.ts); keys flushed: the flush-cache step's own count (journal)`,
        ...(alerting
          ? {
              'detection (alert fired, received)': `drkit's alert receiver record ${alerting.alertsFile} (startsAt from Prometheus, receivedAt from drkit)`,
            }
          : {}),
      },
      definitions: {
        rto: `the first acknowledged write on '${restoredId}' followed by 3 s of sustained success (workload log ${path.basename(logFile)}, records of type ack) − T0 (the commit of the bad delete)`,
        rpo: `${loss.rpoDefinition} (ack times from the workload log ${path.basename(logFile)}; presence by \`SELECT client_ref FROM orders WHERE client_ref = ANY(…)\` on '${restoredId}')`,
        rpoResolution: `${loss.rpoResolutionDefinition} (workload log ${path.basename(logFile)}; per task: fact rpoGapsByTask)`,
        rpoUpperBound: loss.rpoUpperBoundDefinition,
      },
    };
    return drillResult(o, report, drillDir);
  } finally {
    await workload?.stop();
    await compute?.stopAll();
    // The evidence (journal, workload log, checksums, reports) stays; the drill's clusters go.
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    releaseDrillDir(drillDir); // ended (or kept on purpose): nothing to reap
  }
}

/** How many users are read during the incident and checked for stale reads after the restore. */
const STALE_READ_USERS = 50;

/** Deletes a third of the orders in one transaction; returns its start time (the restore target). */
async function injectMassDelete(
  p: LabProvider,
  db: { host: string; port: number; database: string; user: string },
) {
  const c = new pg.Client({ ...db });
  await c.connect();
  try {
    await c.query('BEGIN');
    // now() is the transaction's start: every commit before it is kept by a restore to it.
    const r = await c.query<{ now: Date }>('SELECT now() AS now');
    const del = await c.query(`DELETE FROM orders WHERE id % 3 = 0`);
    await c.query('COMMIT');
    void p;
    return { t0: new Date(), restoreTarget: r.rows[0]!.now, deleted: del.rowCount ?? 0 };
  } finally {
    await c.end();
  }
}

function followUps(a: DrillReport['achieved'], o: PitrDrillOptions): string[] {
  const out: string[] = [];
  if ((a.lostWrites ?? 0) > 0) {
    out.push(
      `${a.lostWrites} acknowledged writes made between the restore target and the freeze are only in the retired cluster: reconcile them from its backup`,
    );
  }
  if ((o.detectionDelaySeconds ?? 0) === 0 && !o.alerting)
    out.push(
      'detection was instantaneous in this drill (declared by the drill): measure real detection with an alert on mass deletes',
    );
  out.push('retention: confirm the PITR window covers at least one release cycle');
  return out;
}
