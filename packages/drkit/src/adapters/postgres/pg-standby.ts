import path from 'node:path';
import { DrError, PreconditionError } from '../../engine/errors.js';
import { freePort, sleep } from '../../util/net.js';
import { standbyConninfo, type ClusterRecord } from './cluster-registry.js';
import type { PgClusterManager } from './pg-cluster-manager.js';
import { rewriteRestoredConfig, writeRecoveryConf } from './pg-config.js';

/** Options of {@link createStandby}. */
export interface CreateStandbyOptions {
  /** Port of the standby. @default a free port */
  readonly port?: number;
  /** Wait until the WAL receiver is streaming. @default 120000 ms */
  readonly timeoutMs?: number;
  /**
   * Makes it a delayed standby: `recovery_min_apply_delay` of this many seconds (written to
   * `drkit-recovery.conf`). @default none: replays at once
   */
  readonly applyDelaySeconds?: number;
}

/**
 * Creates a hot standby of a running primary: `pgbackrest restore --type=standby` of the
 * primary's stanza into a new directory, with `primary_conninfo` pointing at the primary's
 * replication endpoint (the inter-region link when it has one, else its port), then starts it and waits until it streams. The standby's `archive_command` names
 * the primary's stanza with its OWN `--pg1-path` (a standby archives nothing; once promoted,
 * it continues the same stanza on a new timeline, as pgBackRest expects after a failover).
 * @throws NotFoundError (unknown primary), PreconditionError (id/dir exists, port in use,
 *   primary not running or without a stanza)
 */
export async function createStandby(
  mgr: PgClusterManager,
  sourceId: string,
  newId: string,
  opts: CreateStandbyOptions = {},
): Promise<ClusterRecord> {
  const src = mgr.get(sourceId);
  if (!src.stanza)
    throw new PreconditionError(
      `cluster '${sourceId}' has no stanza: a standby is restored from its backups`,
    );
  if (!mgr.isRunning(sourceId))
    throw new PreconditionError(`primary '${sourceId}' is not running: a standby streams from it`);
  mgr.assertNewId(newId);
  const port = opts.port ?? (await freePort());
  await mgr.assertPortFree(port);
  mgr.pgbackrest.ensureInstalled();
  const info = await mgr.pgbackrest.info(src.stanza);
  if (info.backups.length === 0)
    throw new PreconditionError(`stanza '${src.stanza}' has no backup to build a standby from`);

  const dir = mgr.clusterDir(newId);
  const dataDir = path.join(dir, 'data');
  mgr.ensureDir(dir, 0o750);
  mgr.ensureDir(dataDir, 0o700);
  const rec: ClusterRecord = {
    id: newId,
    dataDir,
    port,
    superuser: src.superuser,
    role: 'standby',
    stanza: src.stanza,
    ownsStanza: false,
    origin: `standby:${sourceId}`,
    createdAt: new Date().toISOString(),
    ...(opts.applyDelaySeconds !== undefined ? { applyDelaySeconds: opts.applyDelaySeconds } : {}),
  };
  mgr.register(rec);
  try {
    const conninfo = standbyConninfo(src, newId);
    await mgr.pgbackrest.exec(
      mgr.pgbackrest.restoreArgv({
        stanza: src.stanza,
        dataDir,
        type: 'standby',
        primaryConninfo: conninfo,
      }),
      `standby restore of '${src.stanza}' into ${dataDir}`,
    );
    rewriteRestoredConfig(
      dataDir,
      {
        port,
        socketDir: mgr.layout.socketDir,
        archiveCommand: mgr.pgbackrest.archiveCommand(src.stanza, dataDir),
      },
      true,
      mgr.owner,
    );
    if (opts.applyDelaySeconds !== undefined)
      writeRecoveryConf(
        dataDir,
        { recovery_min_apply_delay: `${opts.applyDelaySeconds}s` },
        mgr.owner,
      );
    await mgr.start(newId);
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      const rows = await mgr
        .query<{ status: string }>(newId, 'select status from pg_stat_wal_receiver')
        .catch(() => []);
      if (rows[0]?.status === 'streaming') break;
      if (Date.now() > deadline)
        throw new DrError('TIMEOUT', `standby '${newId}' is not streaming from '${sourceId}'`);
      await sleep(100);
    }
    return rec;
  } catch (err) {
    if (mgr.isRunning(newId)) await mgr.stop(newId, 'immediate').catch(() => undefined);
    throw new DrError(
      err instanceof DrError ? err.code : 'EXTERNAL',
      `standby '${newId}' failed: ${(err as Error).message}`,
      {
        hint: `the half-made standby is left STOPPED at ${dir}; inspect it, then destroy('${newId}')`,
        cause: err,
      },
    );
  }
}

/**
 * Promotes a standby (`pg_promote(wait => true)`) and waits until it accepts writes; records
 * it as `primary`. A no-op on a cluster that is already a primary.
 * @returns milliseconds from the call to writable.
 */
export async function promote(
  mgr: PgClusterManager,
  id: string,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  mgr.get(id); // NotFoundError for an unknown id, before anything else
  if (!mgr.isRunning(id))
    throw new PreconditionError(`cluster '${id}' is not running`, { hint: `start it first` });
  const [r] = await mgr.query<{ rec: boolean }>(id, 'select pg_is_in_recovery() as rec');
  if (r?.rec) {
    const [p] = await mgr.query<{ ok: boolean }>(id, 'select pg_promote(true, $1) as ok', [
      Math.ceil(timeoutMs / 1000),
    ]);
    if (!p?.ok)
      throw new DrError('TIMEOUT', `promotion of '${id}' did not finish within ${timeoutMs} ms`);
  }
  repointStanza(mgr, id);
  return Date.now() - started;
}

/**
 * Makes `id` the primary of record and the cluster its stanza is backed up from: after a
 * failover, pgbackrest.conf's `pg1-path`/`pg1-port` must name the promoted cluster, or the
 * next backup (and `check`) would go to the old primary's data directory.
 */
export function repointStanza(mgr: PgClusterManager, id: string): void {
  const rec = mgr.get(id);
  for (const other of mgr.list()) {
    if (
      other.id !== id &&
      other.stanza !== undefined &&
      other.stanza === rec.stanza &&
      other.ownsStanza
    ) {
      mgr.registry.put({ ...other, ownsStanza: false });
    }
  }
  mgr.register({ ...rec, role: 'primary', ownsStanza: rec.stanza !== undefined });
}

/**
 * Makes `standbyId` a delayed standby of `primaryId` again after RB-N-02's fast path consumed
 * the last one: keeps a running one of that primary, removes a half-made one, takes a full
 * backup of the primary when its stanza has none (a restored cluster's new stanza is empty),
 * then restores the standby from it with the apply delay.
 */
export async function rebuildDelayedStandby(
  mgr: PgClusterManager,
  primaryId: string,
  standbyId: string,
  opts: { applyDelaySeconds: number; progress?: (m: string) => void },
): Promise<{ backupLabel?: string }> {
  const say = opts.progress ?? (() => undefined);
  const existing = mgr.registry.get(standbyId);
  if (existing) {
    if (existing.origin === `standby:${primaryId}` && mgr.isRunning(standbyId)) {
      say(`'${standbyId}' is already a running standby of '${primaryId}'`);
      return {};
    }
    if (existing.origin !== `standby:${primaryId}`)
      throw new PreconditionError(
        `a cluster '${standbyId}' exists and is not a standby of '${primaryId}' (${existing.origin})`,
        { hint: 'remove it first, or name another delayed standby' },
      );
    say(`removing the half-made '${standbyId}'`);
    await mgr.destroy(standbyId);
  }
  const src = mgr.get(primaryId);
  let backupLabel: string | undefined;
  if (src.stanza && (await mgr.pgbackrest.info(src.stanza)).backups.length === 0) {
    say(
      `full backup of '${primaryId}' (stanza '${src.stanza}' has none to restore a standby from)`,
    );
    await mgr.pgbackrest.backup(src.stanza, 'full', `delayed-standby-${standbyId}`, {
      expire: false,
    });
    backupLabel = (await mgr.pgbackrest.info(src.stanza)).backups.at(-1)?.label;
  }
  say(
    `standby '${standbyId}' of '${primaryId}', recovery_min_apply_delay ${opts.applyDelaySeconds} s`,
  );
  await createStandby(mgr, primaryId, standbyId, { applyDelaySeconds: opts.applyDelaySeconds });
  return backupLabel ? { backupLabel } : {};
}
