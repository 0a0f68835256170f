import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RestoreProgress, RestoreRequest, RestoreResult } from '../../ports/database.js';
import { DrError, NotFoundError, PreconditionError, UsageError } from '../../engine/errors.js';
import { freePort, sleep } from '../../util/net.js';
import { asUserArgv, formatCommand } from '../../util/proc.js';
import type { ClusterRecord } from './cluster-registry.js';
import { START_TIMEOUT_SEC, type PgClusterManager } from './pg-cluster-manager.js';
import { rewriteRestoredConfig } from './pg-config.js';
import { assertInWindow, latestFromArchive, sealArchive, windowFor } from './recovery-window.js';
import { formatPgTarget } from '../../util/restore-target.js';

/** One step of a restore as a dry-run prints it. */
export interface PlannedStep {
  readonly phase: string;
  readonly description: string;
  /** The exact command line, when the step runs one. */
  readonly command?: string;
}

/** What {@link planRestore} returns: the steps and commands a restore would run. */
export interface RestorePlan {
  readonly source: string;
  readonly stanza: string;
  readonly newClusterId: string;
  readonly dataDir: string;
  readonly port: number | undefined;
  readonly steps: readonly PlannedStep[];
}

/**
 * The commands `restoreToTime` would run, without running anything or checking the world
 * (a dry-run plan). Reads only the registry.
 * @throws NotFoundError when the source is unknown or has no stanza.
 */
export function planRestore(
  mgr: PgClusterManager,
  req: Omit<RestoreRequest, 'onProgress'>,
): RestorePlan {
  const src = sourceRecord(mgr, req.source);
  const stanza = src.stanza!;
  const dataDir = path.join(mgr.clusterDir(req.newClusterId), 'data');
  const portText = req.port === undefined ? '<free port chosen at run time>' : String(req.port);
  const restoreArgv = mgr.pgbackrest.restoreArgv(
    req.target === 'latest'
      ? { stanza, dataDir, type: 'default' }
      : { stanza, dataDir, type: 'time', target: formatPgTarget(req.target) },
  );
  const ctl = path.join(mgr.binDir, 'pg_ctl');
  const log = path.join(mgr.clusterDir(req.newClusterId), 'postgres.log');
  const prefetch = mgr.walPrefetch(req.newClusterId);
  const prefetchText = prefetch
    ? `; WAL replay prefetches up to ${prefetch.queueMaxMiB} MiB with ${prefetch.processMax} processes: restore_command = ${mgr.pgbackrest.prefetchRestoreCommand(stanza, dataDir, prefetch)}`
    : '; WAL fetched one segment at a time (prefetch off)';
  return {
    source: req.source,
    stanza,
    newClusterId: req.newClusterId,
    dataDir,
    port: req.port,
    steps: [
      {
        phase: 'validate',
        description: `check source, id, port ${portText}, pgBackRest, stanza '${stanza}' and the recoverable window (nothing is created before this passes)`,
      },
      {
        phase: 'seal-archive',
        description: `if '${req.source}' is running: marker commit + pg_switch_wal() and wait until pg_stat_archiver shows the segment archived (runs while the files are restored; the replay waits for it, and a failure removes the new directory)`,
      },
      {
        phase: 'restore-files',
        description: `restore stanza '${stanza}' into a NEW directory ${dataDir}`,
        command: formatCommand(restoreArgv),
      },
      {
        phase: 'configure',
        description: `rewrite drkit.conf: port ${portText}, socket ${mgr.layout.socketDir}, archive into NEW stanza '${req.newClusterId}' (never '${stanza}'); remove standby.signal/postmaster.pid${prefetchText}`,
      },
      {
        phase: 'replay-wal-promote',
        description: 'start and wait until pg_is_in_recovery() is false',
        // exactly as run: as the server's OS user when root, with start()'s timeout
        command: formatCommand(
          asUserArgv(
            [ctl, '-D', dataDir, '-l', log, '-w', '-t', String(START_TIMEOUT_SEC), 'start'],
            mgr.osUser,
          ),
        ),
      },
      { phase: 'first-write', description: 'a write succeeds (temporary table insert)' },
      {
        phase: 'new-stanza',
        description: `pgbackrest stanza-create for '${req.newClusterId}'`,
        command: formatCommand(mgr.pgbackrest.argv('stanza-create', req.newClusterId)),
      },
    ],
  };
}

function sourceRecord(mgr: PgClusterManager, id: string): ClusterRecord {
  const src = mgr.get(id);
  if (!src.stanza) {
    throw new NotFoundError(
      `cluster '${id}' has no pgBackRest stanza: it is not archived, so it cannot be restored`,
      {
        hint: 'create clusters with a stanza (the default) to archive their WAL',
      },
    );
  }
  return src;
}

/**
 * Times a restore's phases: `progress` reports to `onProgress` with the time since start,
 * `endPhase` records the phase's duration since the previous one ended and reports it.
 */
export function phaseClock(onProgress: RestoreRequest['onProgress']): {
  t0: number;
  phases: Array<{ phase: string; durationMs: number }>;
  progress: (phase: string, message: string) => void;
  endPhase: (phase: string) => void;
} {
  const t0 = Date.now();
  const phases: Array<{ phase: string; durationMs: number }> = [];
  let phaseStart = t0;
  const progress = (phase: string, message: string) => {
    const p: RestoreProgress = { phase, message, elapsedMs: Date.now() - t0 };
    onProgress?.(p);
  };
  const endPhase = (phase: string) => {
    const now = Date.now();
    phases.push({ phase, durationMs: now - phaseStart });
    progress(phase, `done in ${now - phaseStart} ms`);
    phaseStart = now;
  };
  return { t0, phases, progress, endPhase };
}

/**
 * Point-in-time restore of `req.source` into a new cluster (see {@link planRestore} for the
 * steps). Every guardrail runs before anything is created, except sealing a running source's
 * archive, which runs during the file restore: when it fails, the new directory (never
 * started) is removed before the error is thrown. After that, a failure leaves the new
 * cluster stopped and registered, and the error names its directory.
 */
export async function restoreToTime(
  mgr: PgClusterManager,
  req: RestoreRequest,
): Promise<RestoreResult> {
  const { t0, phases, progress, endPhase } = phaseClock(req.onProgress);

  // validate: nothing below creates anything.
  progress('validate', `checking source '${req.source}' and target`);
  if (req.target !== 'latest' && Number.isNaN(req.target.getTime())) {
    throw new UsageError('restore target is an invalid Date', {
      hint: 'parse user input with parseRestoreTarget()',
    });
  }
  const src = sourceRecord(mgr, req.source);
  const stanza = src.stanza!;
  mgr.assertNewId(req.newClusterId);
  const port = req.port ?? (await freePort());
  await mgr.assertPortFree(port);
  mgr.pgbackrest.ensureInstalled();
  mgr.assertBinaries();
  const newStanzaPath = ['archive', 'backup'].map((d) =>
    path.join(mgr.layout.repoPath, d, req.newClusterId),
  );
  const stale = newStanzaPath.find((p) => existsSync(p));
  if (stale) {
    throw new PreconditionError(
      `the repository already holds a stanza named '${req.newClusterId}' (${stale})`,
      {
        hint: 'the restored cluster archives into a stanza named after it: choose another id',
      },
    );
  }
  const info = await mgr.pgbackrest.info(stanza);
  const newest = info.backups[info.backups.length - 1];
  if (!newest) {
    throw new PreconditionError(`stanza '${stanza}' has no valid backup: nothing can be restored`, {
      hint: `take one first: pgbackrest --stanza=${stanza} backup --type=full`,
    });
  }
  const sourceRunning = mgr.isRunning(req.source);
  // 'latest' replays to the end of the archive (--type=default): no time window applies, only
  // a backup. A time target must lie inside the window, checked before sealing the archive.
  const window = req.target === 'latest' ? undefined : await windowFor(mgr, req.source, info);
  if (req.target !== 'latest') assertInWindow(req.target, window!, req.source);
  endPhase('validate');

  let restoredTo: Date = req.target === 'latest' ? newest.stoppedAt : req.target;
  // Sealing the source's archive (its last guardrail) runs while the backup's files are
  // restored: neither needs the other, and only the replay needs the sealed archive. If it
  // fails, the new directory (never started) is removed again before the error is thrown.
  let seal: Promise<Awaited<ReturnType<typeof sealArchive>>> | undefined;
  let sealedAfterMs = 0;
  if (sourceRunning) {
    progress(
      'seal-archive',
      `switching WAL on '${req.source}' and waiting for it to be archived, while the files are restored`,
    );
    const sealStart = Date.now();
    seal = sealArchive(mgr, req.source).then((r) => {
      sealedAfterMs = Date.now() - sealStart;
      return r;
    });
    seal.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  } else if (req.target === 'latest') {
    restoredTo = (await latestFromArchive(mgr, info)) ?? newest.stoppedAt;
  }

  // From here on something exists: failures leave it stopped and say where.
  const dir = mgr.clusterDir(req.newClusterId);
  const dataDir = path.join(dir, 'data');
  mgr.ensureLab();
  mgr.ensureDir(dir, 0o750);
  mgr.ensureDir(dataDir, 0o700);
  const rec: ClusterRecord = {
    id: req.newClusterId,
    dataDir,
    port,
    superuser: src.superuser,
    role: 'primary',
    stanza: req.newClusterId,
    ownsStanza: true,
    origin: `restore:${req.source}@${req.target === 'latest' ? 'latest' : req.target.toISOString()}`,
    createdAt: new Date().toISOString(),
  };
  mgr.register(rec);
  try {
    const argv = mgr.pgbackrest.restoreArgv(
      req.target === 'latest'
        ? { stanza, dataDir, type: 'default' }
        : { stanza, dataDir, type: 'time', target: formatPgTarget(req.target) },
    );
    progress('restore-files', formatCommand(argv));
    await mgr.pgbackrest.exec(argv, `restore of '${stanza}' into ${dataDir}`);
    endPhase('restore-files');

    const prefetch = mgr.walPrefetch(req.newClusterId);
    if (prefetch)
      for (const d of [path.dirname(prefetch.spoolPath), prefetch.spoolPath, prefetch.lockPath])
        mgr.ensureDir(d, 0o750);
    rewriteRestoredConfig(
      dataDir,
      {
        port,
        socketDir: mgr.layout.socketDir,
        archiveCommand: mgr.pgbackrest.archiveCommand(req.newClusterId, dataDir),
        ...(prefetch
          ? { restoreCommand: mgr.pgbackrest.prefetchRestoreCommand(stanza, dataDir, prefetch) }
          : {}),
      },
      false,
      mgr.owner,
    );
    endPhase('configure');

    if (seal) {
      let sealed: Awaited<typeof seal>;
      try {
        sealed = await seal;
        if (req.target === 'latest') restoredTo = sealed.latest;
        else assertInWindow(req.target, { ...window!, latest: sealed.latest }, req.source);
      } catch (err) {
        // A guardrail failed: take back what was made (never started), so nothing is left.
        await mgr.destroy(req.newClusterId);
        throw err;
      }
      endPhase('seal-archive');
      progress(
        'seal-archive',
        `archive of '${req.source}' sealed ${sealedAfterMs} ms after the file restore began`,
      );
    }

    progress('replay-wal-promote', `starting '${req.newClusterId}' on port ${port}; replaying WAL`);
    await mgr.start(req.newClusterId);
    await waitPromoted(mgr, req.newClusterId, 300_000);
    endPhase('replay-wal-promote');
    // Segments prefetched past the target are never replayed: free their space.
    if (prefetch) {
      rmSync(prefetch.spoolPath, { recursive: true, force: true });
      mgr.ensureDir(prefetch.spoolPath, 0o750);
    }

    await mgr.query(
      req.newClusterId,
      'create temporary table drkit_write_probe(x int); insert into drkit_write_probe values (1)',
    );
    endPhase('first-write');
    const durationMs = Date.now() - t0;

    progress(
      'new-stanza',
      `creating stanza '${req.newClusterId}' so the new cluster archives its own WAL`,
    );
    await mgr.pgbackrest.stanzaCreate(req.newClusterId);
    endPhase('new-stanza');

    return {
      cluster: {
        id: rec.id,
        endpoint: { host: '127.0.0.1', port, database: 'postgres', user: rec.superuser },
        status: 'running',
        role: 'primary',
        details: { dataDir, stanza: rec.stanza, restoredFrom: req.source, sourceStanza: stanza },
      },
      restoredTo,
      durationMs,
      phases,
    };
  } catch (err) {
    if (!mgr.list().some((c) => c.id === req.newClusterId)) throw err; // taken back above
    if (mgr.isRunning(req.newClusterId))
      await mgr.stop(req.newClusterId, 'immediate').catch(() => undefined);
    const base = err instanceof DrError ? err : undefined;
    throw new DrError(
      base?.code ?? 'EXTERNAL',
      `restore into '${req.newClusterId}' failed: ${(err as Error).message}`,
      {
        hint: `the half-made cluster is left STOPPED at ${dir} (log: ${path.join(dir, 'postgres.log')}); inspect it, then remove it with destroy('${req.newClusterId}')`,
        cause: err,
        details: { ...base?.details, newClusterDir: dir },
      },
    );
  }
}

/**
 * The postconditions of {@link restoreToTime} for a cluster it created, established again for
 * a run that died after starting it (the server goes on, promotes itself, but its stanza was
 * never created: every archive_command then fails with "missing stanza path"). Idempotent.
 * @throws NotFoundError, DrError (EXTERNAL) when it cannot be brought there
 */
export async function completeRestore(mgr: PgClusterManager, id: string): Promise<void> {
  const rec = mgr.get(id);
  if (!mgr.isRunning(id)) await mgr.start(id);
  await waitPromoted(mgr, id, 300_000);
  await mgr.query(
    id,
    'create temporary table drkit_write_probe(x int); insert into drkit_write_probe values (1)',
  );
  const stanza = rec.stanza ?? id;
  await mgr.pgbackrest.stanzaCreate(stanza); // idempotent when it exists
  await mgr.pgbackrest.check(stanza); // archiving into it works now
}

/** Polls until the cluster is out of recovery (promoted at the target) or `timeoutMs` passes. */
async function waitPromoted(mgr: PgClusterManager, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!mgr.isRunning(id)) {
      throw new DrError('EXTERNAL', `cluster '${id}' stopped during recovery`, {
        hint: `see ${path.join(mgr.clusterDir(id), 'postgres.log')}`,
      });
    }
    try {
      const [r] = await mgr.query<{ rec: boolean }>(id, 'select pg_is_in_recovery() as rec');
      if (r && !r.rec) return;
    } catch {
      // still starting up (e.g. "the database system is starting up"): keep polling
    }
    if (Date.now() > deadline)
      throw new DrError(
        'TIMEOUT',
        `cluster '${id}' did not finish recovery within ${timeoutMs} ms`,
      );
    await sleep(100);
  }
}
