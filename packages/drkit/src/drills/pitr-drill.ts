import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DrkitConfig } from '../config/schema.js';
import { execute } from '../engine/executor.js';
import { readAppConfig } from '../lab/app-config.js';
import { labDown, labUp } from '../lab/lab.js';
import { labProvider, type LabProvider } from '../lab/provider.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { judge, writeDrillReport, type DrillReport } from '../report/drill-report.js';
import { createPitrRunbook, type PitrState } from '../runbooks/pitr-restore/index.js';
import { sleep } from '../util/net.js';
import { snapshotChecksums } from '../validate/suite.js';
import { drillTimeline, type DrillOptions, type DrillResult } from './drill-options.js';
import { measureDataLoss, measureRecovery, readWorkloadLog } from './measure.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';

/** Options of `drkit drill pitr`. */
export interface PitrDrillOptions extends DrillOptions {
  /** Seconds between the fault and the incident being declared (a human noticing). @default 0 */
  readonly detectionDelaySeconds?: number;
}

export type PitrDrillResult = DrillResult;

/**
 * The Q1 game day: a lab of its own → workload running → checksums → a bad mass delete at T0 →
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
  const { events, spans, mark, phase } = drillTimeline(say);
  let workload: WorkloadProcess | undefined;
  const logFile = path.join(drillDir, 'workload.jsonl');
  try {
    const lab = await phase('lab up', () => labUp(p, config, { progress: say }));
    workload = await startWorkloadProcess({
      secretsDir: p.paths.secretsDir,
      logFile,
      rate: config.lab.workload.writesPerSecond,
      maxUserId: lab.seeded.users,
    });
    mark('workload started');
    await sleep((o.warmupSeconds ?? 3) * 1000);
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

    const { t0, restoreTarget, deleted } = await injectMassDelete(p, app.db);
    mark('T0', t0, `fault injected: mass delete of ${deleted} orders`);
    await sleep((o.detectionDelaySeconds ?? 0) * 1000);
    mark('detected', new Date(), 'incident declared, RB-N-02 started');

    const rb = createPitrRunbook({
      database: p.database,
      secrets: p.secrets,
      notifier: p.notifier,
      connect: p.connect,
    });
    const params: PitrState = {
      source: app.dbClusterId,
      target: restoreTarget.toISOString(),
      newClusterId: `dr-${app.dbClusterId}`,
      expectedChecksums: checksumsFile,
      appConfigSecret: 'drkit/app',
      reason: 'drill: bad mass delete',
    };
    const res = await execute(rb, params, {
      journalDir: p.paths.journalDir,
      yes: true,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    for (const t of res.summary?.timeline ?? []) {
      spans.push({
        name: t.step,
        start: t.start,
        end: t.end,
        outcome: t.outcome,
        durationMs: t.durationMs,
        kind: 'step',
      });
    }
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
    try {
      loss = await measureDataLoss(records, target, t0);
    } finally {
      await target.end();
    }
    const achieved = {
      rtoSeconds: recovery.rtoSeconds,
      rpoSeconds: loss.rpoSeconds,
      lostWrites: loss.lost,
      acknowledgedWrites: loss.acknowledged,
    };
    const verdict = judge(config.targets, achieved);
    const endedAt = new Date();
    const report: DrillReport = {
      scenario: 'pitr',
      drillId,
      title: 'Q1 drill — PostgreSQL point-in-time restore after a bad mass delete (RB-N-02)',
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      outcome: verdict.met.rto && verdict.met.rpo && res.state.validation?.ok ? 'passed' : 'failed',
      targets: config.targets,
      achieved,
      ...verdict,
      events: events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
      spans: spans.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
      facts: {
        source: params.source,
        restoredCluster: restoredId,
        restoreTarget: params.target,
        corruptionAt: t0.toISOString(),
        rowsDeletedByFault: deleted,
        restoreDurationSeconds: (res.state.restoreDurationMs ?? 0) / 1000,
        restorePhases: (res.state.restorePhases ?? [])
          .map((ph) => `${ph.phase} ${(ph.durationMs / 1000).toFixed(2)}s`)
          .join(', '),
        validation: res.state.validation?.ok
          ? `OK (${res.state.validation.rowsChecked} rows compared, ${res.state.validation.durationMs} ms)`
          : 'FAILED',
        writesAcknowledged: loss.acknowledged,
        writesLost: loss.lost,
        lostWindow: loss.oldestLostAt ? `${loss.oldestLostAt} … ${loss.newestLostAt}` : null,
        workloadRatePerSecond: config.lab.workload.writesPerSecond,
        seedUsers: lab.seeded.users,
        seedOrders: lab.seeded.orders,
      },
      followUps: followUps(achieved, o),
      executionId: res.executionId,
    };
    const files = writeDrillReport(
      path.resolve(o.baseDir, o.reportsDir ?? o.config.reportsDir),
      report,
    );
    return { report, files, drillDir };
  } finally {
    await workload?.stop();
    // The evidence (journal, workload log, checksums, reports) stays; the drill's clusters go.
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    releaseDrillDir(drillDir); // ended (or kept on purpose): nothing to reap
  }
}

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
  if ((o.detectionDelaySeconds ?? 0) === 0)
    out.push(
      'detection was instantaneous in this drill (declared by the drill): measure real detection with an alert on mass deletes',
    );
  out.push('retention: confirm the PITR window covers at least one release cycle');
  return out;
}
