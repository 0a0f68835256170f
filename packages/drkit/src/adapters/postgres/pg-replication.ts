import { chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DrError, PreconditionError, StepTimeoutError } from '../../engine/errors.js';
import { sleep } from '../../util/net.js';
import { standbyConninfo } from './cluster-registry.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import { FENCE_CONF, REPLICATION_CONF, rewriteRestoredConfig } from './pg-config.js';
import type { ReplicationStatus } from '../../ports/database.js';

/** Lag of every standby streaming from `primaryId`, in bytes and seconds. */
export async function replicationStatus(
  mgr: PgClusterManager,
  primaryId: string,
): Promise<ReplicationStatus> {
  const [head] = await mgr.query<{ lsn: string; names: string }>(
    primaryId,
    `select pg_current_wal_lsn()::text as lsn, current_setting('synchronous_standby_names') as names`,
  );
  const rows = await mgr.query<{
    name: string;
    state: string;
    sync_state: string;
    lag_bytes: string | null;
    replay_lag: number | null;
  }>(
    primaryId,
    `select application_name as name, state, sync_state,
            pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(replay_lsn, '0/0'))::bigint::text as lag_bytes,
            extract(epoch from replay_lag)::float8 as replay_lag
       from pg_stat_replication order by application_name`,
  );
  return {
    primary: primaryId,
    currentLsn: head!.lsn,
    synchronousStandbyNames: head!.names,
    standbys: rows.map((r) => ({
      name: r.name,
      state: r.state,
      syncState: r.sync_state,
      lagBytes: Number(r.lag_bytes ?? 0),
      replayLagSeconds: r.replay_lag,
    })),
  };
}

/**
 * Makes commits on `primaryId` wait for the named standbys (`FIRST 1 (…)`), or turns that off
 * with an empty list. Written to `drkit-replication.conf` (never copied to a restored cluster or
 * a standby) and reloaded when the server runs.
 */
export async function setSynchronous(
  mgr: PgClusterManager,
  primaryId: string,
  standbyIds: readonly string[],
): Promise<void> {
  const c = mgr.get(primaryId);
  const value = standbyIds.length ? `FIRST 1 (${standbyIds.map((s) => `"${s}"`).join(', ')})` : '';
  writeOwned(
    mgr,
    path.join(c.dataDir, REPLICATION_CONF),
    `# Written by drkit: synchronous replication\nsynchronous_standby_names = '${value}'\n`,
  );
  if (mgr.isRunning(primaryId)) await mgr.query(primaryId, 'select pg_reload_conf()');
}

/** True when the cluster carries the fence of an old primary. */
export function isFenced(mgr: PgClusterManager, id: string): boolean {
  return existsSync(path.join(mgr.get(id).dataDir, FENCE_CONF));
}

/**
 * Fences an old primary after a failover so it can never take writes again: stops it when it
 * runs (`immediate`: its writes are already lost to the new timeline), then writes
 * `drkit-fence.conf` (`default_transaction_read_only`) and `standby.signal` into its data
 * directory — even a restart by hand comes up in recovery, read-only — and drkit refuses to
 * start it. Works whether the server is reachable or not; idempotent.
 */
export async function fence(
  mgr: PgClusterManager,
  id: string,
  reason: string,
): Promise<{ wasRunning: boolean }> {
  const c = mgr.get(id);
  const wasRunning = mgr.isRunning(id);
  if (wasRunning) await mgr.stop(id, 'immediate');
  writeOwned(
    mgr,
    path.join(c.dataDir, FENCE_CONF),
    `# drkit fence: ${reason.replace(/\n/g, ' ')} at ${new Date().toISOString()}\ndefault_transaction_read_only = on\n`,
  );
  writeOwned(mgr, path.join(c.dataDir, 'standby.signal'), '');
  return { wasRunning };
}

/**
 * The first half of a planned switchover: stops the primary cleanly (its shutdown checkpoint
 * is streamed to every connected standby before it exits) and returns that checkpoint's LSN,
 * which the standby must have replayed before it is promoted.
 */
export async function stopForSwitchover(
  mgr: PgClusterManager,
  id: string,
): Promise<{ finalLsn: string }> {
  const c = mgr.get(id);
  await mgr.stop(id, 'fast');
  const r = await mgr.runServer([path.join(mgr.binDir, 'pg_controldata'), '-D', c.dataDir]);
  const state = /Database cluster state:\s+(.+)/.exec(r.stdout)?.[1]?.trim();
  const lsn = /Latest checkpoint location:\s+([0-9A-F]+\/[0-9A-F]+)/.exec(r.stdout)?.[1];
  if (r.code !== 0 || !lsn)
    throw new DrError('EXTERNAL', `pg_controldata of '${id}' failed: ${r.stderr.trim()}`);
  if (state !== 'shut down')
    throw new PreconditionError(
      `'${id}' did not shut down cleanly (${state}): its last WAL may not have reached the standby`,
    );
  return { finalLsn: lsn };
}

/** Waits until `standbyId` has replayed WAL up to `lsn`; returns its replay LSN. */
export async function waitForReplay(
  mgr: PgClusterManager,
  standbyId: string,
  lsn: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await mgr.query<{ replay: string | null; done: boolean }>(
      standbyId,
      `select pg_last_wal_replay_lsn()::text as replay, coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0, false) as done`,
      [lsn],
    );
    if (r?.done) return r.replay!;
    if (Date.now() > deadline) {
      throw new StepTimeoutError(
        `standby '${standbyId}' replayed only ${r?.replay ?? 'nothing'} of ${lsn} within ${timeoutMs} ms`,
        {
          hint: 'check that it streams (pg_stat_wal_receiver); promoting it now would lose writes',
        },
      );
    }
    await sleep(20);
  }
}

/** Options of {@link rejoinAsStandby}. */
export interface RejoinOptions {
  /** Wait this long for streaming. @default 120000 */
  readonly timeoutMs?: number;
  /** Skip pg_rewind and restore afresh (tests of the fallback). @default false */
  readonly forceRestore?: boolean;
  readonly progress?: (m: string) => void;
}

/**
 * Turns a former primary (fenced, crashed or cleanly stopped) into a streaming standby of
 * `primaryId`: `pg_rewind` against the new primary (it runs crash recovery first when the old
 * server died), and when rewinding is impossible a fresh `pgbackrest restore --type=standby`
 * into the same id and port. The fence is lifted only here, as the cluster becomes a standby.
 */
export async function rejoinAsStandby(
  mgr: PgClusterManager,
  id: string,
  primaryId: string,
  createStandby: (src: string, id: string, port: number) => Promise<unknown>,
  opts: RejoinOptions = {},
): Promise<{ method: 'rewind' | 'restore'; durationMs: number; rewindError?: string }> {
  const started = Date.now();
  const say = opts.progress ?? (() => undefined);
  const target = mgr.get(id);
  const src = mgr.get(primaryId);
  if (!mgr.isRunning(primaryId))
    throw new PreconditionError(`the new primary '${primaryId}' is not running`);
  if (mgr.isRunning(id)) await mgr.stop(id, 'fast');
  let rewindError: string | undefined;
  // pg_rewind runs crash recovery in single-user mode when the old primary died, and
  // single-user mode refuses standby mode: the fence's standby.signal must go first. The
  // fence file stays until the rewind is done, so drkit still refuses to start the cluster.
  rmSync(path.join(target.dataDir, 'standby.signal'), { force: true });
  if (!opts.forceRestore) {
    // A just-promoted source still has its old timeline in pg_control until its first
    // checkpoint; pg_rewind reads that file and would rewind onto the wrong timeline (the
    // standby then refuses to start: "requested timeline N does not contain minimum recovery
    // point"). The pg_rewind docs ask for a CHECKPOINT on a recently promoted source.
    await mgr.query(primaryId, 'CHECKPOINT');
    say(`pg_rewind ${id} from ${primaryId}`);
    const conn = `host=127.0.0.1 port=${src.port} user=${src.superuser} dbname=postgres`;
    // --restore-target-wal: WAL the old primary recycled after archiving comes from the repository.
    const restoreWal = target.stanza ? ['--restore-target-wal'] : [];
    if (target.stanza) ensureRestoreCommand(mgr, target.dataDir, target.stanza);
    const r = await mgr.runServer(
      [
        path.join(mgr.binDir, 'pg_rewind'),
        '-D',
        target.dataDir,
        `--source-server=${conn}`,
        ...restoreWal,
      ],
      10 * 60_000,
    );
    if (r.code !== 0) rewindError = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ');
  } else rewindError = 'fresh restore requested';
  if (rewindError !== undefined) {
    say(`rewind impossible (${rewindError}): fresh standby restore`);
    await mgr.destroy(id);
    await createStandby(primaryId, id, target.port);
    return { method: 'restore', durationMs: Date.now() - started, rewindError };
  }
  // pg_rewind copied the source's config files too: make them this cluster's again.
  rewriteRestoredConfig(
    target.dataDir,
    {
      port: target.port,
      socketDir: mgr.layout.socketDir,
      ...(src.stanza
        ? {
            archiveCommand: mgr.pgbackrest.archiveCommand(src.stanza, target.dataDir),
            restoreCommand: mgr.pgbackrest.restoreCommand(src.stanza),
          }
        : {}),
    },
    true,
    mgr.owner,
  );
  const auto = path.join(target.dataDir, 'postgresql.auto.conf');
  const kept = existsSync(auto)
    ? readFileSync(auto, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*primary_conninfo\s*=/.test(l))
    : [];
  kept.push(`primary_conninfo = '${standbyConninfo(src, id)}'`, '');
  writeOwned(mgr, auto, kept.join('\n'));
  writeOwned(mgr, path.join(target.dataDir, 'standby.signal'), '');
  rmSync(path.join(target.dataDir, 'postmaster.pid'), { force: true });
  mgr.register({
    ...target,
    role: 'standby',
    ownsStanza: false,
    ...(src.stanza ? { stanza: src.stanza } : {}),
    origin: `rejoin:${primaryId}`,
  });
  try {
    await mgr.start(id);
    await waitStreaming(mgr, id, opts.timeoutMs ?? 120_000);
  } catch (err) {
    // A rewound cluster that cannot recover is rebuilt from the repository instead: the
    // standby's data is all on the new primary, nothing of it is lost by starting over.
    const why = (err as Error).message.split('\n')[0];
    say(`rewound standby did not come up (${why}): fresh standby restore`);
    if (mgr.isRunning(id)) await mgr.stop(id, 'immediate').catch(() => undefined);
    await mgr.destroy(id);
    await createStandby(primaryId, id, target.port);
    return { method: 'restore', durationMs: Date.now() - started, rewindError: why };
  }
  return { method: 'rewind', durationMs: Date.now() - started };
}

/** Waits until a standby's WAL receiver streams. */
export async function waitStreaming(
  mgr: PgClusterManager,
  id: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await mgr
      .query<{ status: string }>(id, 'select status from pg_stat_wal_receiver')
      .catch(() => []);
    if (rows[0]?.status === 'streaming') return;
    if (Date.now() > deadline)
      throw new StepTimeoutError(`standby '${id}' is not streaming`, {
        hint: `see ${path.join(mgr.clusterDir(id), 'postgres.log')}`,
      });
    await sleep(100);
  }
}

/** Appends a `restore_command` to the fence file when the cluster's config has none (clusters made before drkit wrote one). */
function ensureRestoreCommand(mgr: PgClusterManager, dataDir: string, stanza: string): void {
  const conf = path.join(dataDir, 'drkit.conf');
  if (existsSync(conf) && /^restore_command\s*=/m.test(readFileSync(conf, 'utf8'))) return;
  const auto = path.join(dataDir, 'postgresql.auto.conf');
  if (existsSync(auto) && /^restore_command\s*=/m.test(readFileSync(auto, 'utf8'))) return;
  const f = path.join(dataDir, FENCE_CONF);
  const prev = existsSync(f) ? readFileSync(f, 'utf8') : '';
  writeOwned(
    mgr,
    f,
    `${prev}restore_command = '${mgr.pgbackrest.restoreCommand(stanza).replace(/'/g, "''")}'\n`,
  );
}

function writeOwned(mgr: PgClusterManager, file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  const o = mgr.owner;
  if (o) chownSync(file, o.uid, o.gid);
}
