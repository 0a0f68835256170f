import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import type { ExecutionResult } from '../engine/executor.js';
import type { TimelineEntry } from '../engine/journal.js';
import type { WorkloadRecord } from '../lab/workload.js';
import {
  judge,
  type DrillBand,
  type DrillEvent,
  type DrillReport,
  type DrillSpan,
} from '../report/drill-report.js';
import type { PitrState } from '../runbooks/pitr-restore/index.js';
import type { SecurityBreachState } from '../runbooks/security-breach/index.js';
import type { IsolationFigures } from './breach-prober.js';
import { writesNotAcked } from './breach-world.js';
import type { MeasuredLoss } from './measure.js';

/** What the breach drill's prober asks the front door. */
export const API_PATH = '/users/1';
export const HEALTH_PATH = '/healthz';
export const STATUS_PATH = '/status';
/** Seed 003's escalation matrix, SEV1 row. */
const SEV1 = { responseMinutes: 15, notify: 'Eng Lead, CTO, Status Page' };

/** Everything the breach drill saw, raw: {@link breachReport} derives the figures from it. */
export interface BreachRun {
  readonly drillId: string;
  readonly startedAt: Date;
  readonly config: DrkitConfig;
  readonly events: readonly DrillEvent[];
  readonly spans: readonly DrillSpan[];
  /** The breach declared (security-breach started). */
  readonly t0: Date;
  /** security-breach-restore-access started. */
  readonly backFrom: Date;
  /** The rotate-credentials step on the journal's timeline. */
  readonly rotation: TimelineEntry | undefined;
  readonly contain: ExecutionResult<SecurityBreachState>;
  readonly restore: ExecutionResult<PitrState>;
  readonly reopen: { readonly executionId: string };
  readonly log: readonly WorkloadRecord[];
  readonly logFile: string;
  readonly loss: MeasuredLoss;
  readonly fig: IsolationFigures;
  readonly breach: { readonly breachAt: Date; readonly tampered: number };
  /** The app's role before the breach (the stolen one). */
  readonly role: string;
  /** Sessions presented (issued before the breach, and the attacker's). */
  readonly tokens: number;
  /** Sessions valid when issued. */
  readonly issued: number;
  readonly afterSignOut: { readonly valid: number; readonly unanswered: number };
  readonly afterRestore: { readonly valid: number; readonly unanswered: number };
  readonly stolenAfterRotation: boolean;
  readonly attackerConnAlive: boolean;
  readonly stolenOnRestored: boolean;
  readonly tamperedAfter: number;
  /** Writes the workload got acknowledged by the restored cluster. */
  readonly ackedOnRestored: number;
  readonly tasks: readonly string[];
  readonly rate: number;
  readonly journalDir: string;
  readonly notificationsFile: string;
}

/** The breach drill's evidence: every figure from {@link BreachRun}, each defined. */
export function breachReport(r: BreachRun): DrillReport {
  const { config, events, spans, t0, backFrom, rotation, contain, restore, reopen, log } = r;
  const { logFile, loss, fig, breach, role, afterSignOut, afterRestore, tamperedAfter } = r;
  const { stolenAfterRotation, attackerConnAlive, stolenOnRestored } = r;
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
  const notes = notificationsSince(r.notificationsFile, t0);
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
    appWorksOnRestore: r.ackedOnRestored > 0,
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
  const journal = (id: string) => path.join(r.journalDir, `${id}.jsonl`);
  return {
    scenario: 'security-breach',
    drillId: r.drillId,
    title:
      'Seed 003 scenario 5 — security breach on the lab: isolate, rotate, sign out, restore known-good, restore access',
    startedAt: r.startedAt.toISOString(),
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
      sessionsIssuedBeforeBreach: r.issued,
      sessionsPresented: r.tokens,
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
      appTasks: r.tasks.join(', '),
      workloadRatePerSecond: r.rate,
      writesAcknowledgedOnRestoredCluster: r.ackedOnRestored,
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
      notifications: r.notificationsFile,
    },
    definitions: {
      rto: 'T0 (breach declared) → the API served again to the prober (first served probe after which none was refused): the whole incident as an API client saw it, restore of known-good data included',
      rpo: `${loss.rpoDefinition} (the restore target is the breach time: writes acknowledged after it are given up on purpose)`,
    },
  };
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
