import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import { PgRoleRotation } from '../adapters/postgres-roles/index.js';
import { APP_CONFIG_SECRET, readAppConfig } from '../lab/app-config.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider, type LabProvider } from '../lab/provider.js';
import { labUpRegions, regionProvider } from '../lab/regions.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { bindLab } from '../providers/lab/index.js';
import { judge, type DrillBand, type DrillReport } from '../report/drill-report.js';
import { pitrRestore } from '../runbooks/pitr-restore/index.js';
import { runRunbook } from '../runbooks/run.js';
import { securityBreach, securityBreachRestoreAccess } from '../runbooks/security-breach/index.js';
import { sleep } from '../util/net.js';
import { FrontDoorProber, isolationFigures } from './breach-prober.js';
import {
  canLogIn,
  injectBreach,
  openSessions,
  stillAnswers,
  validSessions,
  writesNotAcked,
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

const API_PATH = '/users/1';
const HEALTH_PATH = '/healthz';
const STATUS_PATH = '/status';
/** Seed 003's escalation matrix, SEV1 row. */
const SEV1 = { responseMinutes: 15, notify: 'Eng Lead, CTO, Status Page' };

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
    // the rotation window: its step, plus the workload's request timeout (2 s) for answers in
    // flight, but not into RB-N-02, whose freeze refuses writes on purpose
    const rotFrom = new Date(rotation?.start ?? t0.toISOString());
    const rbStart = Date.parse(restore.summary?.timeline[0]?.start ?? new Date().toISOString());
    const rotTo = new Date(
      Math.min(Date.parse(rotation?.end ?? new Date().toISOString()) + 2000, rbStart),
    );
    const duringRotation = writesNotAcked(log, rotFrom, rotTo);
    const wholeDrill = writesNotAcked(log, new Date(0), new Date());
    const frozen = writesNotAcked(
      log,
      new Date(restore.state.frozenAt ?? backFrom.toISOString()),
      new Date(restore.state.unfrozenAt ?? backFrom.toISOString()),
    );
    const notes = notificationsSince(p.paths.notificationsFile, t0);
    const firstPage = notes.find((n) => n.severity === 'critical');
    const timeToIsolate = fig.isolatedAt
      ? (fig.isolatedAt.getTime() - t0.getTime()) / 1000
      : undefined;
    const timeToRestoreAccess = fig.accessRestoredAt
      ? (fig.accessRestoredAt.getTime() - backFrom.getTime()) / 1000
      : undefined;
    const outage =
      fig.isolatedAt && fig.accessRestoredAt
        ? (fig.accessRestoredAt.getTime() - fig.isolatedAt.getTime()) / 1000
        : undefined;
    const rto = fig.accessRestoredAt
      ? (fig.accessRestoredAt.getTime() - t0.getTime()) / 1000
      : undefined;
    const achieved = {
      rtoSeconds: rto,
      rpoSeconds: loss.rpoSeconds,
      lostWrites: loss.lost,
      acknowledgedWrites: loss.acknowledged,
    };
    const checks = {
      isolated: fig.isolatedAt !== undefined && fig.servedWhileIsolated === 0,
      healthKept: fig.healthProbes > 0 && fig.healthFailed === 0,
      statusNotIsolated: fig.statusRefusedByIsolation === 0,
      noFailedWriteInRotation: duringRotation.failed + duringRotation.refused === 0,
      stolenRefused: !stolenAfterRotation && !stolenOnRestored && !attackerConnAlive,
      noSessionLeft: afterSignOut.valid === 0 && afterRestore.valid === 0,
      dataRestored: tamperedAfter === 0,
      accessRestored: fig.accessRestoredAt !== undefined,
      paged: firstPage !== undefined,
    };
    const passed = Object.values(checks).every(Boolean);
    const bands: DrillBand[] = [];
    if (fig.isolatedAt && fig.accessRestoredAt)
      bands.push({
        kind: 'outage',
        start: fig.isolatedAt.toISOString(),
        end: fig.accessRestoredAt.toISOString(),
        label: `API isolated ${outage?.toFixed(2)} s (prober: ${API_PATH} every 20 ms)`,
      });
    if (loss.newestLostAt)
      bands.push({
        kind: 'loss',
        start: breach.breachAt.toISOString(),
        end: loss.newestLostAt,
        label: `${loss.lost} acknowledged writes after the breach given up by the known-good restore`,
      });
    const journal = (id: string) => path.join(p.paths.journalDir, `${id}.jsonl`);
    return {
      scenario: 'security-breach',
      drillId: path.basename(s.drillDir),
      title:
        'Seed 003 scenario 5 — security breach on the lab: isolate, rotate, sign out, restore known-good, restore access',
      startedAt: s.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      outcome: passed ? 'passed' : 'failed',
      targets: config.targets,
      achieved,
      ...judge(config.targets, achieved),
      events: [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
      spans: [...spans].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
      facts: {
        breachAt: breach.breachAt.toISOString(),
        usersTamperedByBreach: breach.tampered,
        usersTamperedAfterRestore: tamperedAfter,
        timeToIsolateSeconds: timeToIsolate ?? null,
        apiProbesServedAfterIsolateStep: fig.servedWhileIsolated,
        apiProbesRefusedWhileIsolated: fig.refusedWhileIsolated,
        healthProbesWhileIsolated: fig.healthProbes,
        healthProbesFailedWhileIsolated: fig.healthFailed,
        statusProbesWhileIsolated: fig.statusProbes,
        statusProbesRefusedByIsolation: fig.statusRefusedByIsolation,
        writesFailedDuringRotation: duringRotation.failed + duringRotation.refused,
        writesAcknowledgedDuringRotation: duringRotation.acked,
        rotationWindow: `${rotFrom.toISOString()} … ${rotTo.toISOString()}`,
        credentialRotated: `${role} → ${contain.state.rotations?.map((r) => r.newVersionId).join(', ') ?? '?'}`,
        stolenCredentialLogsInAfterRotation: stolenAfterRotation,
        attackerConnectionAliveAfterRotation: attackerConnAlive,
        stolenCredentialLogsInOnRestoredCluster: stolenOnRestored,
        credentialsCarriedToRestore: restore.state.credentialsCarried
          ? `${restore.state.credentialsCarried.current ?? '-'} ${restore.state.credentialsCarried.created ? 'created' : 'kept'}; revoked ${restore.state.credentialsCarried.revoked.join(', ') || 'none'}`
          : 'no credentials step',
        sessionsIssuedBeforeBreach: issued.valid,
        sessionsPresented: tokens.length,
        sessionsValidAfterSignOut: afterSignOut.valid,
        sessionsValidAfterRestore: afterRestore.valid,
        sessionChecksUnanswered: afterSignOut.unanswered + afterRestore.unanswered,
        usersSignedOut: contain.state.evidence?.totalSignedOut ?? 0,
        restoredCluster: restore.state.restoredClusterId ?? null,
        restoreTarget: restore.state.target,
        writesRefusedWhileFrozen: frozen.refused,
        writesFailedWholeDrill: wholeDrill.failed,
        timeToRestoreAccessSeconds: timeToRestoreAccess ?? null,
        apiOutageSeconds: outage ?? null,
        notifications: notes.map((n) => `${n.at} [${n.severity}] ${n.subject}`).join(' | '),
        sev1: `respond within ${SEV1.responseMinutes} min, notify ${SEV1.notify}: first critical page ${firstPage ? `${((Date.parse(firstPage.at) - t0.getTime()) / 1000).toFixed(2)} s after T0` : 'NEVER'} (lab notifier; routing to people is the escalation matrix's)`,
        appTasks: tasks.map((t) => t.id).join(', '),
        workloadRatePerSecond: rate,
        ...Object.fromEntries(Object.entries(checks).map(([k, v]) => [`check.${k}`, v])),
      },
      followUps: [
        'detection was declared by the drill one second after the breach: alert on logins of a revoked or unknown role and on mass updates',
        'investigate scope before restoring access: the drill restores access right after the known-good restore',
      ],
      executionId: contain.executionId,
      bands,
      sources: {
        'time to isolate': `T0 (runbook start) → the send time of the first API probe refused (503) after the last one served (in-process prober: GET ${API_PATH} through the front door every 20 ms); resolution 20 ms, taken late`,
        'API probes served after the isolate step': `probes of ${API_PATH} sent after isolate-api ended (journal) and before restore-access started that were not answered 503/429 (must be 0)`,
        'health and status while isolated': `probes of ${HEALTH_PATH} (every 100 ms) not answered 200, and of ${STATUS_PATH} (every 200 ms) answered by the isolation rule (header X-Drkit-Isolated), between the isolation and the API being served again`,
        'writes failed during the rotation': `workload log ${logFile}: records of type fail or refused answered inside the rotate-credentials step (journal) + 2 s (the workload's request timeout) — cut at RB-N-02's start, whose freeze refuses writes on purpose — counted exactly; the workload writes to every app task directly`,
        'sessions still valid':
          "every token issued before the breach (and the attacker's) presented to every app task on GET /auth/session; valid when any task answers 200 — or does not answer 401 (an unanswered check counts as valid); after the sign-out and again after the restore",
        'stolen credential':
          "a fresh login with the stolen role and password on the old cluster after the rotation, and on the restored cluster after RB-N-02; the attacker's open connection asked SELECT 1 after the rotation",
        'data restored': `SELECT count(*) FROM users WHERE name LIKE 'pwned %' on the restored cluster`,
        'time to restore access':
          'restore-access runbook start → the send time of the first API probe served after which none was refused',
        journals: [contain.executionId, restore.executionId, reopen.executionId]
          .map(journal)
          .join(', '),
        notifications: p.paths.notificationsFile,
      },
      definitions: {
        rto: 'T0 (breach declared) → the API served again to the prober (first served probe after which none was refused): the whole incident as an API client saw it, restore of known-good data included',
        rpo: `${loss.rpoDefinition} (the restore target is the breach time: writes acknowledged after it are given up on purpose)`,
      },
    };
  } finally {
    await prober.stop();
    await workload?.stop();
    provider.close();
  }
}

/** The lab notifier's messages since `t0` (its JSONL file). */
function notificationsSince(
  file: string,
  t0: Date,
): Array<{ at: string; severity: string; subject: string }> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { at: string; severity: string; subject: string })
    .filter((n) => Date.parse(n.at) >= t0.getTime());
}
