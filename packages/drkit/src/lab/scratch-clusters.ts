import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConflictError } from '../engine/errors.js';
import { TargetLock } from '../engine/lock.js';
import { utcStamp } from '../util/time.js';
import type { LabProvider } from './provider.js';

/**
 * Every scratch cluster's id starts with this: `drkit restore-test` restores into one and
 * removes it, and a run killed before it could is reaped by the next restore test or by
 * `drkit lab up|down` (see {@link reapScratchClusters}). No other cluster may use the prefix.
 */
export const SCRATCH_PREFIX = 'rt-scratch-';

/** A fresh scratch cluster id: the prefix, the UTC minute and 4 random hex digits. */
export function scratchClusterId(now = new Date()): string {
  return `${SCRATCH_PREFIX}${utcStamp(now)}-${randomBytes(2).toString('hex')}`;
}

/**
 * Removes one scratch cluster entirely: stops it (immediate: its data is thrown away), deletes
 * the pgBackRest stanza it archived into (a restored cluster archives into a stanza named after
 * itself), its directory and its registry record. Idempotent; a half-made restore (no stanza,
 * no server) is removed too. Refuses any id without {@link SCRATCH_PREFIX}.
 */
export async function removeScratchCluster(p: LabProvider, id: string): Promise<void> {
  if (!id.startsWith(SCRATCH_PREFIX))
    throw new Error(`refusing to remove '${id}': not a scratch cluster (${SCRATCH_PREFIX}*)`);
  const mgr = p.clusters;
  if (mgr.list().some((c) => c.id === id)) {
    if (mgr.isRunning(id)) await mgr.stop(id, 'immediate');
    // stanza-delete needs the stanza's section in pgbackrest.conf, which destroy() removes:
    // delete first. It fails when the restore died before creating the stanza; the directory
    // removal below covers that case.
    await mgr.pgbackrest
      .exec(mgr.pgbackrest.argv('stop', id), `stop of stanza '${id}'`)
      .catch(() => undefined);
    await mgr.pgbackrest
      .exec(mgr.pgbackrest.argv('stanza-delete', id, ['--force']), `stanza-delete of '${id}'`)
      .catch(() => undefined);
    await mgr.destroy(id);
  }
  rmSync(mgr.clusterDir(id), { recursive: true, force: true });
  for (const d of ['archive', 'backup'])
    rmSync(path.join(mgr.layout.repoPath, d, id), { recursive: true, force: true });
  rmSync(path.join(mgr.layout.pgbackrestDir, 'lock', `${id}.stop`), { force: true });
}

/**
 * Every scratch cluster this lab holds: registered, or only a directory left by a run killed
 * mid-restore, or only a stanza in the repository.
 */
export function listScratchClusters(p: LabProvider): string[] {
  const ids = new Set(
    p.clusters
      .list()
      .map((c) => c.id)
      .filter((id) => id.startsWith(SCRATCH_PREFIX)),
  );
  const dirs = [
    p.clusters.layout.clustersDir,
    path.join(p.clusters.layout.repoPath, 'archive'),
    path.join(p.clusters.layout.repoPath, 'backup'),
  ];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) if (name.startsWith(SCRATCH_PREFIX)) ids.add(name);
  }
  return [...ids].sort();
}

/** Removes every scratch cluster of the lab (a restore test killed before its cleanup); returns their ids. */
export async function reapScratchClusters(p: LabProvider): Promise<string[]> {
  const ids = listScratchClusters(p);
  for (const id of ids) await removeScratchCluster(p, id);
  return ids;
}

/** The lock a restore test holds while its scratch cluster exists (beside the runbooks' locks). */
export function takeRestoreTestLock(p: LabProvider): TargetLock {
  return TargetLock.acquire(
    path.join(p.paths.journalDir, 'locks'),
    'restore-test',
    `restore-test-${process.pid}`,
  );
}

/**
 * {@link reapScratchClusters} unless a restore test runs right now (its lock is held by a live
 * process): `drkit lab up` must not remove the scratch cluster of a test in progress.
 */
export async function reapIdleScratchClusters(p: LabProvider): Promise<string[]> {
  let lock: TargetLock;
  try {
    lock = takeRestoreTestLock(p);
  } catch (err) {
    if (err instanceof ConflictError) return [];
    throw err;
  }
  try {
    return await reapScratchClusters(p);
  } finally {
    lock.release();
  }
}
