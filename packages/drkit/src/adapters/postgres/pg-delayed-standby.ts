import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DelayedStandbyStatus, RestoreRequest, RestoreResult } from '../../ports/database.js';
import { DrError, PreconditionError, UsageError } from '../../engine/errors.js';
import { sleep } from '../../util/net.js';
import { formatPgTarget } from '../../util/restore-target.js';
import type { ClusterRecord } from './cluster-registry.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import { writeClusterConfig, writeRecoveryConf } from './pg-config.js';
import { phaseClock } from './pg-restore.js';
import { sealArchive } from './recovery-window.js';

/**
 * Written into the delayed standby's cluster directory once its replay is paused at a point
 * before the target: from then on the standby belongs to this restore (a resume continues it,
 * another target is refused). Moves with the directory; removed when the restore is complete.
 */
const MARKER = 'drkit-fast-restore.json';

interface FastRestoreMarker {
  readonly standbyId: string;
  readonly source: string;
  readonly newClusterId: string;
  readonly target: string;
  readonly lastReplayedCommitAt: string;
  readonly pausedAt: string;
  readonly port: number;
  readonly superuser: string;
}

/** A delayed standby lagging more than its delay plus this is unhealthy: max(5 s, 10 %). */
export function lagGraceSeconds(applyDelaySeconds: number): number {
  return Math.max(5, Math.ceil(applyDelaySeconds / 10));
}

/** The delayed standbys (registry records with an apply delay) replaying from `primaryId`. */
export async function delayedStandbys(
  mgr: PgClusterManager,
  primaryId: string,
): Promise<DelayedStandbyStatus[]> {
  const out: DelayedStandbyStatus[] = [];
  for (const c of mgr.list())
    if (c.applyDelaySeconds !== undefined && c.origin === `standby:${primaryId}`)
      out.push(await statusOf(mgr, c, primaryId));
  return out;
}

async function statusOf(
  mgr: PgClusterManager,
  c: ClusterRecord,
  primary: string,
): Promise<DelayedStandbyStatus> {
  const delay = c.applyDelaySeconds ?? 0;
  const base = { id: c.id, primary, applyDelaySeconds: delay };
  const down = (problem: string): DelayedStandbyStatus => ({
    ...base,
    running: mgr.isRunning(c.id),
    paused: false,
    streaming: false,
    healthy: false,
    problem,
  });
  if (!mgr.isRunning(c.id)) return down(`'${c.id}' is not running`);
  let r: {
    rec: boolean;
    pause: string;
    last: Date | null;
    now: Date;
    receiver: string | null;
    behind: boolean | null;
  };
  try {
    [r] = (await mgr.query(
      c.id,
      `select pg_is_in_recovery() as rec,
              case when pg_is_in_recovery() then pg_get_wal_replay_pause_state() else 'not paused' end as pause,
              pg_last_xact_replay_timestamp() as last, clock_timestamp() as now,
              (select status from pg_stat_wal_receiver) as receiver,
              pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) > 0 as behind`,
    )) as [typeof r];
  } catch (err) {
    return down(`'${c.id}' cannot be read: ${(err as Error).message}`);
  }
  const lag = r.last ? (r.now.getTime() - r.last.getTime()) / 1000 : undefined;
  const streaming = r.receiver === 'streaming';
  // An old last commit is lag only while received WAL waits to be replayed: once an idle
  // primary's WAL is all replayed (received = replayed), it is just the last commit there was.
  // (The primary's replay_lag is no measure: it keeps its last value while replay is stuck.)
  const effectiveLag = r.behind === false ? 0 : (lag ?? Infinity);
  const grace = lagGraceSeconds(delay);
  let problem: string | undefined;
  if (!r.rec) problem = `'${c.id}' is not in recovery (it was promoted)`;
  else if (!r.last)
    problem = `'${c.id}' has replayed no commit since it started: the start of its window is unknown`;
  else if (effectiveLag > delay + grace)
    problem = `'${c.id}' replays ${effectiveLag === Infinity ? 'an unknown time' : `${effectiveLag.toFixed(0)} s`} behind, beyond its ${delay} s window (+${grace} s grace)`;
  return {
    ...base,
    running: true,
    paused: r.pause !== 'not paused',
    streaming,
    ...(r.last ? { lastReplayedCommitAt: r.last } : {}),
    ...(lag !== undefined ? { replayLagSeconds: lag } : {}),
    ...(problem ? {} : { window: { earliest: r.last!, latest: r.now } }),
    healthy: problem === undefined,
    ...(problem ? { problem } : {}),
  };
}

/** A refusal that changed nothing: the runbook takes the classic path instead. */
function refuse(message: string): PreconditionError {
  return new PreconditionError(message, {
    hint: 'the classic restore (backup + WAL) applies; nothing was changed',
    details: { fallback: true },
  });
}

/**
 * The marker of a restore an earlier attempt finished (marker removed, the run died before
 * journaling): rebuilt from the new cluster's record so the last phases are checked again.
 */
function finishedBefore(
  mgr: PgClusterManager,
  req: { source: string; standbyId: string; newClusterId: string },
  target: Date,
): FastRestoreMarker | undefined {
  const rec = mgr.registry.get(req.newClusterId);
  if (rec?.origin !== `delayed-restore:${req.source}@${target.toISOString()}`) return undefined;
  return {
    standbyId: req.standbyId,
    source: req.source,
    newClusterId: rec.id,
    target: target.toISOString(),
    lastReplayedCommitAt: '',
    pausedAt: '',
    port: rec.port,
    superuser: rec.superuser,
  };
}

function readMarker(dir: string): FastRestoreMarker | undefined {
  const f = path.join(dir, MARKER);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as FastRestoreMarker) : undefined;
}

/** The commands of {@link restoreFromDelayedStandby}, for `--dry-run`. */
export function planFastRestore(
  mgr: PgClusterManager,
  req: { source: string; standbyId: string; target: Date | 'latest'; newClusterId: string },
): string[] {
  const t = req.target === 'latest' ? 'latest' : formatPgTarget(req.target);
  const dir = mgr.clusterDir(req.newClusterId);
  return [
    `pause-replay: SELECT pg_wal_replay_pause() on '${req.standbyId}'; its pg_last_xact_replay_timestamp() must be <= ${t} (else: resume replay, classic path)`,
    `seal-archive: marker commit + pg_switch_wal() on '${req.source}' (a commit after the target for replay to stop at)`,
    `stop-standby: pg_ctl stop -m fast '${req.standbyId}'; mv ${mgr.clusterDir(req.standbyId)} ${dir}; registry: '${req.standbyId}' becomes '${req.newClusterId}' (stanza '${req.newClusterId}')`,
    `configure: drkit.conf archives into NEW stanza '${req.newClusterId}' (never '${req.source}'); drkit-recovery.conf: recovery_target_time='${t}', recovery_target_action='promote', recovery_min_apply_delay='0'`,
    `replay-wal-promote: pg_ctl start (targets are read at server start); wait until pg_is_in_recovery() is false`,
    `first-write: a write succeeds (temporary table insert)`,
    `new-stanza: ${mgr.pgbackrest.argv('stanza-create', req.newClusterId).join(' ')}; drop drkit-recovery.conf`,
  ];
}

/**
 * RB-N-02's fast path; see {@link Database.restoreFromDelayedStandby}. Phases: pause replay and
 * check it has not passed the target (a refusal resumes replay and changes nothing), write the
 * marker, seal the source's archive, stop the standby and move it to the new id, restart it
 * with the target (PostgreSQL 15 reads targets only at start), wait for its own promotion
 * (`recovery_target_action = promote`: drkit never calls pg_promote here, so a resume cannot
 * promote twice), probe a write, create its stanza.
 */
export async function restoreFromDelayedStandby(
  mgr: PgClusterManager,
  req: RestoreRequest & { standbyId: string },
): Promise<RestoreResult> {
  const { t0, phases, progress, endPhase } = phaseClock(req.onProgress);
  if (req.target === 'latest' || Number.isNaN(req.target.getTime()))
    throw new UsageError('the delayed-standby fast path needs a target time, not latest');
  const target = req.target;
  const newId = req.newClusterId;
  const oldDir = mgr.clusterDir(req.standbyId);
  const newDir = mgr.clusterDir(newId);
  let marker = readMarker(newDir) ?? readMarker(oldDir) ?? finishedBefore(mgr, req, target);
  if (marker && (marker.newClusterId !== newId || marker.target !== target.toISOString()))
    throw new PreconditionError(
      `delayed standby '${req.standbyId}' is held by another restore (to '${marker.newClusterId}' at ${marker.target})`,
      { hint: `resume that run, or inspect ${path.join(oldDir, MARKER)}` },
    );

  if (!marker) {
    progress('validate', `checking delayed standby '${req.standbyId}' and target`);
    const rec = mgr.get(req.standbyId);
    if (rec.applyDelaySeconds === undefined || rec.origin !== `standby:${req.source}`)
      throw refuse(`'${req.standbyId}' is not a delayed standby of '${req.source}'`);
    mgr.assertNewId(newId);
    if (existsSync(path.join(mgr.layout.repoPath, 'archive', newId)))
      throw new PreconditionError(`the repository already holds a stanza named '${newId}'`, {
        hint: 'the restored cluster archives into a stanza named after it: choose another id',
      });
    if (!mgr.isRunning(req.source))
      throw refuse(
        `source '${req.source}' is not running: no commit after the target can reach the standby to stop its replay`,
      );
    const st = await statusOf(mgr, rec, req.source);
    if (!st.running) throw refuse(st.problem ?? `'${req.standbyId}' is down`);
    endPhase('validate');

    progress('pause-replay', `SELECT pg_wal_replay_pause() on '${req.standbyId}'`);
    await mgr.query(req.standbyId, 'select pg_wal_replay_pause()');
    let last: Date | null = null;
    for (let i = 0; ; i++) {
      const [r] = await mgr.query<{ state: string; last: Date | null }>(
        req.standbyId,
        'select pg_get_wal_replay_pause_state() as state, pg_last_xact_replay_timestamp() as last',
      );
      last = r!.last;
      if (r!.state === 'paused') break;
      if (i > 300) throw new DrError('TIMEOUT', `replay of '${req.standbyId}' did not pause`);
      await sleep(100);
    }
    if (!last || last.getTime() > target.getTime()) {
      await mgr.query(req.standbyId, 'select pg_wal_replay_resume()');
      throw refuse(
        last
          ? `'${req.standbyId}' already replayed past the target: its last replayed commit is ${last.toISOString()} > ${target.toISOString()} (replay resumed)`
          : `'${req.standbyId}' has replayed no commit since it started (replay resumed)`,
      );
    }
    marker = {
      standbyId: req.standbyId,
      source: req.source,
      newClusterId: newId,
      target: target.toISOString(),
      lastReplayedCommitAt: last.toISOString(),
      pausedAt: new Date().toISOString(),
      port: rec.port,
      superuser: rec.superuser,
    };
    writeFileSync(path.join(oldDir, MARKER), JSON.stringify(marker, null, 2) + '\n');
    endPhase('pause-replay');
  }

  // From here the standby belongs to this restore; every phase below is safe to run again.
  if (existsSync(path.join(oldDir, MARKER))) {
    if (mgr.isRunning(req.source)) {
      progress('seal-archive', `marker commit + WAL switch on '${req.source}'`);
      await sealArchive(mgr, req.source);
      endPhase('seal-archive');
    }
    progress('stop-standby', `stopping '${req.standbyId}' (paused) and moving it to '${newId}'`);
    if (mgr.registry.get(req.standbyId)) await mgr.stop(req.standbyId, 'fast');
    renameSync(oldDir, newDir);
    endPhase('stop-standby');
  }
  const dataDir = path.join(newDir, 'data');
  if (!mgr.registry.get(newId)) {
    mgr.registry.remove(req.standbyId);
    mgr.register({
      id: newId,
      dataDir,
      port: marker.port,
      superuser: marker.superuser,
      role: 'standby',
      stanza: newId,
      ownsStanza: true,
      origin: `delayed-restore:${req.source}@${marker.target}`,
      createdAt: new Date().toISOString(),
    });
  }
  try {
    if (!mgr.isRunning(newId)) {
      writeClusterConfig(
        dataDir,
        {
          port: marker.port,
          socketDir: mgr.layout.socketDir,
          archiveCommand: mgr.pgbackrest.archiveCommand(newId, dataDir),
        },
        mgr.owner,
      );
      writeRecoveryConf(
        dataDir,
        {
          recovery_target_time: formatPgTarget(target),
          recovery_target_action: 'promote',
          recovery_min_apply_delay: '0',
        },
        mgr.owner,
      );
      endPhase('configure');
      progress(
        'replay-wal-promote',
        `starting '${newId}' with recovery_target_time ${marker.target}`,
      );
      await mgr.start(newId);
    } else progress('replay-wal-promote', `'${newId}' runs already: waiting for its promotion`);
    await waitOutOfRecovery(mgr, newId, 60 * 60_000);
    endPhase('replay-wal-promote');
    await mgr.query(
      newId,
      'create temporary table drkit_write_probe(x int); insert into drkit_write_probe values (1)',
    );
    endPhase('first-write');
    const durationMs = Date.now() - t0;
    progress('new-stanza', `creating stanza '${newId}' so the new cluster archives its own WAL`);
    await mgr.pgbackrest.stanzaCreate(newId);
    // Targets are harmless once promoted, fatal if the cluster ever re-entered recovery.
    writeRecoveryConf(dataDir, {}, mgr.owner);
    rmSync(path.join(newDir, MARKER), { force: true });
    mgr.register({ ...mgr.get(newId), role: 'primary' });
    endPhase('new-stanza');
    return {
      cluster: {
        id: newId,
        endpoint: {
          host: '127.0.0.1',
          port: marker.port,
          database: 'postgres',
          user: marker.superuser,
        },
        status: 'running',
        role: 'primary',
        details: {
          dataDir,
          stanza: newId,
          restoredFrom: req.source,
          delayedStandby: req.standbyId,
          lastReplayedCommitAtPause: marker.lastReplayedCommitAt,
        },
      },
      restoredTo: target,
      durationMs,
      phases,
    };
  } catch (err) {
    const base = err instanceof DrError ? err : undefined;
    throw new DrError(
      base?.code ?? 'EXTERNAL',
      `fast restore into '${newId}' failed: ${(err as Error).message}`,
      {
        hint: `the cluster (the former delayed standby) is at ${newDir} (log: ${path.join(newDir, 'postgres.log')}); resume the run to continue it`,
        cause: err,
      },
    );
  }
}

async function waitOutOfRecovery(mgr: PgClusterManager, id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!mgr.isRunning(id))
      throw new DrError('EXTERNAL', `cluster '${id}' stopped during recovery`, {
        hint: `see ${path.join(mgr.clusterDir(id), 'postgres.log')}`,
      });
    const [r] = await mgr
      .query<{ rec: boolean }>(id, 'select pg_is_in_recovery() as rec')
      .catch(() => [undefined]);
    if (r && !r.rec) return;
    if (Date.now() > deadline)
      throw new DrError('TIMEOUT', `'${id}' did not reach its target within ${timeoutMs} ms`);
    await sleep(50);
  }
}
