import type pg from 'pg';
import { NotFoundError, PreconditionError } from '../engine/errors.js';
import type { RestoreTestCheck, RestoreTestRecord } from '../report/restore-test-record.js';
import { APP_TABLES } from '../validate/checksums.js';
import { runSmokeQueries } from '../validate/smoke-queries.js';
import { snapshotChecksums, type ChecksumSnapshot } from '../validate/suite.js';
import { readAppConfig, type AppConfig } from './app-config.js';
import type { LabProvider } from './provider.js';
import {
  reapScratchClusters,
  removeScratchCluster,
  scratchClusterId,
  takeRestoreTestLock,
} from './scratch-clusters.js';

/** Options of {@link labRestoreTest}. */
export interface RestoreTestOptions {
  /** Restore the end of the archive, or a point drawn uniformly inside the recoverable window. @default 'latest' */
  readonly target?: 'latest' | 'random';
  /** Draws the random point (a number in [0, 1)). @default Math.random */
  readonly random?: () => number;
  readonly progress?: (line: string) => void;
  /** Called with the scratch cluster's id before anything is created (tests kill the run then). */
  readonly onScratch?: (id: string) => void;
}

/**
 * `drkit restore-test` on the lab: restores the backups of the cluster the app writes to into a
 * scratch cluster (RB-N-02's restore: `Database.restoreToTime`, pgBackRest checks every file's
 * checksum against the backup manifest), reads every app table in full (PostgreSQL checks every
 * page's checksum: clusters are created with `--data-checksums`) and runs the app's read paths
 * as SQL; the figures of the restored copy against the live source are reported, not judged (the
 * source takes writes after the recovery point). The scratch cluster and its stanza are removed
 * in a `finally`; a run killed before that leaves a `rt-scratch-*` cluster that the next restore
 * test or `drkit lab up|down` reaps. One restore test per lab at a time (a lock file).
 */
export async function labRestoreTest(
  p: LabProvider,
  opts: RestoreTestOptions = {},
): Promise<RestoreTestRecord> {
  const say = opts.progress ?? (() => undefined);
  const target = opts.target ?? 'latest';
  // Refused before the lock file or anything else is written.
  let app: AppConfig;
  try {
    app = await readAppConfig(p.secrets);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new PreconditionError('the lab has no app config: nothing names the cluster to test', {
        hint: 'run `drkit lab up` first',
        cause: err,
      });
    throw err;
  }
  const lock = takeRestoreTestLock(p);
  try {
    const reaped = await reapScratchClusters(p);
    for (const id of reaped) say(`removed scratch cluster '${id}' left by an earlier, killed run`);
    return await testOnce(p, app, target, opts, reaped);
  } finally {
    lock.release();
  }
}

async function testOnce(
  p: LabProvider,
  app: AppConfig,
  target: 'latest' | 'random',
  opts: RestoreTestOptions,
  reaped: string[],
): Promise<RestoreTestRecord> {
  const say = opts.progress ?? (() => undefined);
  const source = app.dbClusterId;
  const database = app.db.database;
  const backups = await p.database.listBackups(source);
  const newest = backups[backups.length - 1];
  if (!newest)
    throw new PreconditionError(`cluster '${source}' has no backup: there is nothing to restore`, {
      hint: `take a full backup first: pgbackrest --stanza=${source} backup --type=full (\`drkit lab up\` takes one)`,
    });
  let requested: Date | undefined;
  let window: RestoreTestRecord['window'];
  if (target === 'random') {
    const w = await p.database.recoverableWindow(source);
    const span = w.latest.getTime() - w.earliest.getTime();
    requested = new Date(w.earliest.getTime() + Math.floor((opts.random ?? Math.random)() * span));
    window = { earliest: w.earliest.toISOString(), latest: w.latest.toISOString() };
    say(`random point ${requested.toISOString()} inside ${window.earliest} … ${window.latest}`);
  }

  const id = scratchClusterId();
  opts.onScratch?.(id);
  const startedAt = new Date();
  const checks: RestoreTestCheck[] = [];
  let recoveryPoint: string | undefined;
  let restoreDurationSeconds: number | undefined;
  let scratchRemoved = false;
  try {
    // The source's figures first, for the report: taken before the restore, so every row of
    // this snapshot was committed before the restore's recovery point when the target is latest.
    const before =
      target === 'latest'
        ? await sourceSnapshot(p, source, database).catch(() => undefined)
        : undefined;
    say(`restoring '${source}' (newest backup ${newest.label}) into scratch cluster '${id}'`);
    try {
      const res = await p.database.restoreToTime({
        source,
        target: requested ?? 'latest',
        newClusterId: id,
        onProgress: (x) => say(`${x.phase}: ${x.message}`),
      });
      recoveryPoint = res.restoredTo.toISOString();
      restoreDurationSeconds = Math.round(res.durationMs) / 1000;
      checks.push({
        name: 'restore',
        ok: true,
        enforced: true,
        detail: `restored to ${recoveryPoint} in ${restoreDurationSeconds} s (${res.phases.map((x) => `${x.phase} ${x.durationMs} ms`).join(', ')})`,
      });
    } catch (err) {
      checks.push({ name: 'restore', ok: false, enforced: true, detail: firstLine(err) });
    }
    if (recoveryPoint) {
      let client: pg.Client | undefined;
      try {
        client = await p.connect({ ...(await p.database.describe(id)).endpoint, database });
      } catch (err) {
        checks.push({
          name: `connect ${database}`,
          ok: false,
          enforced: true,
          detail: firstLine(err),
        });
      }
      if (client) {
        try {
          checks.push(...(await validateCopy(client, before)));
        } finally {
          await client.end();
        }
      }
    }
  } finally {
    say(`removing scratch cluster '${id}' and its stanza`);
    await removeScratchCluster(p, id);
    scratchRemoved = true;
  }
  const failed = checks.find((c) => c.enforced && !c.ok);
  const finishedAt = new Date();
  return {
    scratchCluster: id,
    provider: 'lab',
    source,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    target,
    ...(requested ? { requestedPoint: requested.toISOString(), window } : {}),
    newestBackup: newest.label,
    ...(recoveryPoint ? { recoveryPoint } : {}),
    ...(restoreDurationSeconds !== undefined ? { restoreDurationSeconds } : {}),
    totalDurationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    result: failed ? 'FAILED' : 'SUCCESSFUL',
    reason: failed
      ? `${failed.name}: ${failed.detail}`
      : `restored to ${recoveryPoint} in ${restoreDurationSeconds} s; ${checks.filter((c) => c.enforced).length} checks passed`,
    checks,
    scratchRemoved,
    reaped,
  };
}

/** Checksums of the app tables on the running source (for the report only). */
async function sourceSnapshot(
  p: LabProvider,
  source: string,
  database: string,
): Promise<ChecksumSnapshot> {
  const c = await p.connect({ ...(await p.database.describe(source)).endpoint, database });
  try {
    return await snapshotChecksums(c);
  } finally {
    await c.end();
  }
}

/**
 * The validation suite on the restored copy: every app table read in full (a missing table or
 * an unreadable page fails it), the app's read paths, and, reported only, each table's rows
 * against the source's before the restore.
 */
async function validateCopy(
  client: pg.Client,
  before: ChecksumSnapshot | undefined,
): Promise<RestoreTestCheck[]> {
  const out: RestoreTestCheck[] = [];
  let snap: ChecksumSnapshot | undefined;
  try {
    snap = await snapshotChecksums(client);
    for (const t of snap.tables)
      out.push({
        name: `table ${t.table}`,
        ok: true,
        enforced: true,
        detail: `${t.rowCount} rows read in full (${t.chunks.length} chunks, max key ${t.maxKey ?? 'none'})`,
      });
  } catch (err) {
    out.push({
      name: `tables ${APP_TABLES.map((t) => t.table).join(', ')}`,
      ok: false,
      enforced: true,
      detail: firstLine(err),
    });
  }
  for (const q of await runSmokeQueries(client))
    out.push({ name: `smoke ${q.name}`, ok: q.ok, enforced: true, detail: q.detail });
  if (snap && before) {
    for (const b of before.tables) {
      const a = snap.tables.find((t) => t.table === b.table);
      if (!a) continue;
      out.push({
        name: `vs source ${b.table}`,
        ok: a.rowCount >= b.rowCount,
        enforced: false,
        detail: `${a.rowCount} rows restored; the source had ${b.rowCount} just before the restore`,
      });
    }
  }
  return out;
}

function firstLine(err: unknown): string {
  const e = err as { message?: string; hint?: string };
  return (e.message ?? String(err)).split('\n')[0]!;
}
