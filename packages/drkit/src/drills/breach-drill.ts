import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import { PgRoleRotation } from '../adapters/postgres-roles/index.js';
import { APP_CONFIG_SECRET, readAppConfig } from '../lab/app-config.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider, type LabProvider } from '../lab/provider.js';
import { labUpRegions, regionProvider } from '../lab/regions.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { bindLab } from '../providers/lab/index.js';
import type { DrillReport } from '../report/drill-report.js';
import { pitrRestore } from '../runbooks/pitr-restore/index.js';
import { runRunbook } from '../runbooks/run.js';
import { securityBreach, securityBreachRestoreAccess } from '../runbooks/security-breach/index.js';
import { sleep } from '../util/net.js';
import { FrontDoorProber, isolationFigures } from './breach-prober.js';
import { API_PATH, breachReport, HEALTH_PATH, STATUS_PATH } from './breach-report.js';
import {
  canLogIn,
  injectBreach,
  openSessions,
  stillAnswers,
  validSessions,
  type StolenCredential,
} from './breach-world.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { measureDataLoss, readWorkloadLog } from './measure.js';

/** Options of `drkit drill breach`. */
export interface BreachDrillOptions extends DrillOptions {
  /** Sessions opened before the breach (users 1..n log in). @default 20 */
  readonly sessions?: number;
  /** Seconds between the breach and the incident being declared. @default 1 */
  readonly detectionDelaySeconds?: number;
  /** Workload writes per second (to the app tasks directly). @default 50 */
  readonly writesPerSecond?: number;
}

/**
 * Seed 003's security breach on the lab, measured: the app on its own login role, a workload
 * writing to every app task, sessions open → the attacker uses the stolen app credential to
 * tamper with users (breach time) → T0: the security-breach runbook (isolate the API at the
 * front door, rotate the credential with no failed write, sign every session out) → RB-N-02
 * restores the data to the breach time (the restored cluster gets the current credential only)
 * → security-breach-restore-access opens the API → evidence report.
 */
export async function runBreachDrill(o: BreachDrillOptions): Promise<DrillResult> {
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  // short: HAProxy's runtime socket path below it must stay under 97 characters
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', `breach-${stamp}`);
  mkdirSync(drillDir, { recursive: true });
  claimDrillDir(drillDir); // a killed drill's servers are reaped by the next `lab up|down`
  const config = breachLabConfig(o.config, drillDir, o.seedUsers);
  const p = labProvider(config, o.baseDir);
  const timeline = drillTimeline(say);
  try {
    await timeline.phase('lab up (1 region, no standby)', () =>
      labUpRegions(p, config, { progress: say }),
    );
    const report = await runBreachScenario({ ...o, config, p, drillDir, startedAt, timeline });
    return drillResult(o, report, drillDir);
  } finally {
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    releaseDrillDir(drillDir);
  }
}

/** The drill lab's config: its own state dir, one region of two tasks, no moto. */
export function breachLabConfig(
  base: DrkitConfig,
  stateDir: string,
  seedUsers?: number,
): DrkitConfig {
  return {
    ...base,
    stateDir,
    // the lab's own front door, login roles and sessions: no AWS service borrowed from moto
    aws: { ...base.aws, endpoint: undefined },
    lab: {
      ...base.lab,
      seed: { ...base.lab.seed, ...(seedUsers !== undefined ? { users: seedUsers } : {}) },
      regions: { ...base.lab.regions, standby: false, appTasksA: 2, appTasksB: 1 },
    },
  };
}

/** What {@link runBreachScenario} runs on: a two-region lab `labUpRegions` built. */
export interface BreachScenarioInput extends BreachDrillOptions {
  readonly p: LabProvider;
  readonly drillDir: string;
  readonly startedAt: Date;
  readonly timeline: ReturnType<typeof drillTimeline>;
}

/** The breach and its recovery on a running lab (the drill's, or a test's); returns the report. */
export async function runBreachScenario(s: BreachScenarioInput): Promise<DrillReport> {
  const { p, config, timeline } = s;
  const { mark, phase, steps, events, spans } = timeline;
  const rate = s.writesPerSecond ?? 50;
  const regions = regionProvider(p);
  const tasks = await regions.compute.appTasks();
  const roles = new PgRoleRotation({
    secrets: p.secrets,
    appSecretName: APP_CONFIG_SECRET,
    admin: p.connect,
    tasks: () => regions.compute.appTasks(),
  });
  const role = await phase('the app on a login role of its own', () => roles.adopt());
  const provider = bindLab(config, s.baseDir);
  const logFile = path.join(s.drillDir, 'workload.jsonl');
  let workload: WorkloadProcess | undefined;
  const prober = new FrontDoorProber(regions.router.url, [
    { path: API_PATH, everyMs: 20 },
    { path: HEALTH_PATH, everyMs: 100 },
    { path: STATUS_PATH, everyMs: 200 },
  ]);
  try {
    // internal traffic (workers, jobs) writes to the tasks directly: the front door's
    // isolation does not stop it, so a failed write during the rotation is the rotation's
    workload = await startWorkloadProcess({
      frontDoor: tasks.map((t) => `http://${t.address}`).join(','),
      logFile,
      rate,
      maxUserId: config.lab.seed.users,
    });
    prober.start();
    const tokens = await openSessions(regions.router.url, s.sessions ?? 20);
    const issued = await validSessions(tasks, tokens);
    mark('workload started', new Date(), `${tokens.length} sessions open, app role ${role}`);
    await sleep((s.warmupSeconds ?? 3) * 1000);

    const app = await readAppConfig(p.secrets);
    const stolen = app.db as unknown as StolenCredential;
    const breach = await injectBreach(stolen);
    tokens.push(...(await openSessions(regions.router.url, 1))); // the attacker's session too
    mark(
      'breach',
      breach.breachAt,
      `stolen ${stolen.user} credential rewrote ${breach.tampered} users`,
    );
    await sleep((s.detectionDelaySeconds ?? 1) * 1000);
    const t0 = new Date();
    mark('T0', t0, 'breach declared: security-breach runbook started');
    const opts = { yes: true, ...(s.onEvent ? { onEvent: s.onEvent } : {}) };
    const contain = await phase('security-breach', () =>
      runRunbook(
        securityBreach,
        provider,
        { reason: 'drill: app database credential stolen' },
        opts,
      ),
    );
    steps(contain.summary);
    const stepSpan = (id: string) => contain.summary?.timeline.find((t) => t.step === id);
    const isolateEnd = new Date(stepSpan('isolate-api')?.end ?? t0.toISOString());
    const rotation = stepSpan('rotate-credentials');
    const stolenAfterRotation = await canLogIn(stolen);
    const attackerConnAlive = await stillAnswers(breach.attacker);
    await breach.attacker.end().catch(() => undefined);
    const afterSignOut = await validSessions(tasks, tokens);

    const restore = await phase('RB-N-02 to the breach time', () =>
      runRunbook(
        pitrRestore,
        provider,
        {
          source: app.dbClusterId,
          target: breach.breachAt.toISOString(),
          newClusterId: `dr-${app.dbClusterId}`,
          reason: 'drill: restore known-good data from before the breach',
        },
        opts,
      ),
    );
    steps(restore.summary);
    const restoredEp = { ...restore.state.restoredEndpoint!, database: app.db.database };
    const afterRestore = await validSessions(tasks, tokens);
    const stolenOnRestored = await canLogIn({
      ...stolen,
      host: restoredEp.host,
      port: restoredEp.port,
    });
    const c = await p.connect(restoredEp);
    let tamperedAfter: number;
    let loss;
    const records = () => readWorkloadLog(logFile);
    // writes acknowledged on the restored cluster: the app works on it with the carried credential
    for (
      let i = 0;
      i < 100 &&
      !records().some((r) => r.type === 'ack' && r.cluster === restore.state.restoredClusterId);
      i++
    )
      await sleep(100);
    try {
      tamperedAfter = Number(
        (
          await c.query<{ n: string }>(
            `SELECT count(*)::text n FROM users WHERE name LIKE 'pwned %'`,
          )
        ).rows[0]!.n,
      );
    } finally {
      await c.end();
    }

    const backFrom = new Date();
    mark('restore access', backFrom, 'security-breach-restore-access started');
    const reopen = await phase('security-breach-restore-access', () =>
      runRunbook(
        securityBreachRestoreAccess,
        provider,
        { fromExecution: contain.executionId },
        opts,
      ),
    );
    steps(reopen.summary);
    await sleep((s.sustainSeconds ?? 2) * 1000);
    await prober.stop();
    await workload.stop();
    workload = undefined;
    const log = records();
    const lossClient = await p.connect(restoredEp);
    try {
      loss = await measureDataLoss(log, lossClient, breach.breachAt, {
        oldCluster: restore.state.source,
        recoveryPoint: breach.breachAt,
      });
    } finally {
      await lossClient.end();
    }
    const fig = isolationFigures(
      prober.probes,
      API_PATH,
      HEALTH_PATH,
      STATUS_PATH,
      t0,
      isolateEnd,
      backFrom,
    );
    if (fig.isolatedAt)
      mark('API isolated', fig.isolatedAt, 'first refused probe after the last served one');
    if (fig.accessRestoredAt) mark('API served again', fig.accessRestoredAt);
    return breachReport({
      drillId: path.basename(s.drillDir),
      startedAt: s.startedAt,
      config,
      events,
      spans,
      t0,
      backFrom,
      rotation,
      contain,
      restore,
      reopen,
      log,
      logFile,
      loss,
      fig,
      breach,
      role,
      tokens: tokens.length,
      issued: issued.valid,
      afterSignOut,
      afterRestore,
      stolenAfterRotation,
      attackerConnAlive,
      stolenOnRestored,
      tamperedAfter,
      ackedOnRestored: log.filter(
        (r) => r.type === 'ack' && r.cluster === restore.state.restoredClusterId,
      ).length,
      tasks: tasks.map((t) => t.id),
      rate,
      journalDir: p.paths.journalDir,
      notificationsFile: p.paths.notificationsFile,
    });
  } finally {
    await prober.stop();
    await workload?.stop();
    provider.close();
  }
}
