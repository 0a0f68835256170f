import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { AwsClients } from '../adapters/aws/clients.js';
import { CloudFrontCdn } from '../adapters/aws/cloudfront-cdn.js';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.js';
import { DrError, UsageError } from '../engine/errors.js';
import type { ExecutionResult } from '../engine/executor.js';
import {
  MOTO_CREDENTIALS,
  motoVenvDir,
  startMotoServer,
  type MotoServer,
} from '../lab/moto-server.js';
import { judge, type DrillReport } from '../report/drill-report.js';
import { bindProvider } from '../providers/index.js';
import { withPorts } from '../providers/provider.js';
import { runRunbook } from '../runbooks/run.js';
import { s3Restore, type S3RestoreState } from '../runbooks/s3-restore/index.js';
import { sleep, waitFor } from '../util/net.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { diffStates, measureS3Loss, restorePointAfter, versionsAt } from './s3-measure.js';
import { checkBucket, createDistribution, createVersionedBucket } from './s3-world.js';
import { badDeploy, currentState, S3Writer, seedPrefix, stateOfVersions } from './s3-workload.js';

/** Options of `drkit drill s3-restore`. */
export interface S3DrillOptions extends Omit<
  DrillOptions,
  'seedUsers' | 'sustainSeconds' | 'keep'
> {
  /** Objects seeded under the prefix. @default 300 */
  readonly objects?: number;
  /** An existing versioned bucket (its prefix must be empty). @default a new bucket the drill creates */
  readonly bucket?: string;
  /** The prefix the drill seeds, damages and restores. @default 'media/' */
  readonly prefix?: string;
  /** Seconds of workload after T until T0: the writes the restore to T gives up. @default 3 */
  readonly windowSeconds?: number;
  /** Writes per second of the workload. @default 20 */
  readonly writesPerSecond?: number;
  /** Share of the prefix the bad deploy deletes / overwrites. @default 0.3 each */
  readonly deleteShare?: number;
  readonly overwriteShare?: number;
}

/**
 * The RB-N-03 game day: a versioned prefix seeded behind a CloudFront distribution → a writer
 * adding and overwriting objects → restore point T → more writes → a bad deploy deletes and
 * overwrites part of the prefix at T0 → RB-N-03 restores the prefix to T through the engine
 * (as `drkit runbook run rb-n-03` does) → every key verified against its state at T → RTO and
 * the writes acknowledged after T that the restore gave up (the RPO) → evidence report.
 */
export async function runS3Drill(o: S3DrillOptions): Promise<DrillResult> {
  const objects = o.objects ?? 300;
  const prefix = o.prefix ?? 'media/';
  const rate = o.writesPerSecond ?? 20;
  const windowSeconds = o.windowSeconds ?? 3;
  if (!Number.isInteger(objects) || objects < 1 || objects > 100_000)
    throw new UsageError(`--objects ${objects}: give a whole number from 1 to 100000`);
  if (!prefix.endsWith('/') || prefix.startsWith('/'))
    throw new UsageError(
      `--prefix '${prefix}': give a key prefix like media/ (ending with /, not starting with /)`,
    );
  if (!(rate > 0 && rate <= 200))
    throw new UsageError(`--rate ${rate}: give 1..200 writes per second`);
  if (!(windowSeconds > 0))
    throw new UsageError(`--window ${windowSeconds}: give a positive number of seconds`);
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const drillId = `s3-restore-${stamp}`;
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', drillId);
  mkdirSync(drillDir, { recursive: true });
  const { events, spans, mark, phase, steps } = drillTimeline(say);

  let moto: MotoServer | undefined;
  let clients: AwsClients | undefined;
  let writer: S3Writer | undefined;
  let close = () => undefined as void;
  try {
    const configured = o.config.aws.endpoint;
    if (!configured) moto = await phase('moto up', () => startMotoServer());
    const endpoint = configured ?? moto!.endpoint;
    const emulator = moto
      ? `S3 emulated by moto ${motoVersion()} (started and stopped by the drill)`
      : `S3 at aws.endpoint ${endpoint}${(await isMoto(endpoint)) ? ' (a moto server: version not known to the drill)' : ''}`;
    const region = o.config.aws.regionA;
    // a moto the drill started takes any key; a configured endpoint gets the CLI's credentials
    clients = new AwsClients({
      endpoint,
      defaultRegion: region,
      ...(moto ? { credentials: MOTO_CREDENTIALS } : {}),
    });
    const s3 = clients.s3(region);
    const bucket = o.bucket ?? `drkit-drill-${stamp.toLowerCase()}`;
    await (o.bucket ? checkBucket(s3, bucket, prefix) : createVersionedBucket(s3, bucket, region));
    const distributionId =
      o.config.aws.cdnDistributionId ?? (await createDistribution(clients.cloudfront(), bucket));

    const seeded = await phase('seed prefix', () => seedPrefix(s3, bucket, prefix, objects));
    mark('seeded', new Date(), `${objects} objects under s3://${bucket}/${prefix}`);
    writer = new S3Writer(s3, bucket, prefix, seeded.keys(), {
      rate,
      logFile: path.join(drillDir, 'workload.jsonl'),
    });
    // the workload starts in a second of its own: a seed and an overwrite of one key in the
    // same second would be ordered by S3's IsLatest only
    await sleep(restorePointAfter(new Date(), 0).resumeAt.getTime() - Date.now());
    const workloadStart = new Date();
    writer.start();
    await sleep((o.warmupSeconds ?? 2) * 1000);
    const heldAt = await writer.hold();
    const { t: T, resumeAt } = restorePointAfter(heldAt, moto ? 250 : 1000);
    await sleep(resumeAt.getTime() - Date.now());
    writer.release();
    mark(
      'T',
      T,
      `restore point: the good state (writer held ${resumeAt.getTime() - heldAt.getTime()} ms across it: S3 LastModified has 1 s resolution)`,
    );
    await sleep(windowSeconds * 1000);
    await writer.stop();
    const t0 = new Date();
    spans.push({
      name: 'workload (writer)',
      start: workloadStart.toISOString(),
      end: t0.toISOString(),
      outcome: 'succeeded',
      durationMs: t0.getTime() - workloadStart.getTime(),
      kind: 'phase',
    });

    mark(
      'T0',
      t0,
      'fault injected: a bad deploy runs `aws s3 rm --recursive` over part of the prefix and syncs a stale build over another part',
    );
    const liveKeys = [...new Set([...seeded.keys(), ...writer.acks.map((a) => a.key)])];
    const fault = await phase('bad deploy (fault)', () =>
      badDeploy(s3, bucket, liveKeys, {
        deleteShare: o.deleteShare ?? 0.3,
        overwriteShare: o.overwriteShare ?? 0.3,
      }),
    );
    mark('detected', new Date(), 'declared at once by the drill (no detector): RB-N-03 started');

    // RB-N-03 exactly as `drkit runbook run rb-n-03 --provider aws` runs it, journal included
    const b = bindProvider(
      'aws',
      { ...o.config, stateDir: drillDir, aws: { ...o.config.aws, endpoint } },
      o.baseDir,
    );
    close = () => b.close();
    const store = new S3ObjectStore({ clients, region });
    const cdn = new CloudFrontCdn({ clients });
    // on the drill's own moto, RB-N-03 uses the drill's clients (its region and retries)
    const provider = moto ? withPorts(b, { objectStore: () => store, cdn: () => cdn }) : b;
    let res: ExecutionResult<S3RestoreState> | undefined;
    let runbookError: string | undefined;
    try {
      res = await runRunbook(
        s3Restore,
        provider,
        { bucket, prefix, at: T.toISOString(), distributionId },
        {
          yes: true,
          ...(o.onEvent ? { onEvent: o.onEvent } : {}),
        },
      );
    } catch (err) {
      runbookError = err instanceof Error ? err.message : String(err);
      say(`RB-N-03 failed: ${runbookError}`);
    }
    steps(res?.summary);
    const state = (res?.state ?? {}) as Partial<S3RestoreState>;

    const check = await phase('verify key by key', async () => {
      const listing = await store.listVersions(bucket, { prefix });
      const byListing = await stateOfVersions(
        s3,
        bucket,
        versionsAt(listing.versions, listing.deleteMarkers, T),
      );
      const byRecord = new Map(seeded);
      for (const a of writer!.acks)
        if (Date.parse(a.at) <= T.getTime()) byRecord.set(a.key, a.sha256);
      const current = await currentState(store, bucket, prefix);
      return {
        current,
        listing: diffStates(byListing, current),
        record: diffStates(byRecord, current),
      };
    });
    const verified = check.listing.equal && check.record.equal && runbookError === undefined;
    const verifiedAt = new Date();
    const invalidationIds = state.invalidationIds ?? [];
    const purgedAt = await phase('cdn invalidation completed', () =>
      waitInvalidations(clients!, distributionId, invalidationIds),
    );
    if (verified)
      mark('verified', verifiedAt, `every key under ${prefix} equals its state at T (sha256)`);
    const recoveredAt =
      verified && invalidationIds.length > 0
        ? new Date(Math.max(verifiedAt.getTime(), purgedAt.getTime()))
        : undefined;
    if (recoveredAt)
      mark('recovered', recoveredAt, 'restore verified and CDN invalidation completed');

    const loss = measureS3Loss(writer.acks, check.current, t0, { recoveryPoint: T });
    const ackedAfterT = writer.acks.filter((a) => Date.parse(a.at) > T.getTime()).length;
    writeFileSync(
      path.join(drillDir, 'lost-writes.csv'),
      `key,versionId\n${newestPerKey(loss.lostAcks)
        .map((a) => `${a.key},${a.versionId}`)
        .join('\n')}\n`,
    );
    const achieved = {
      rtoSeconds: recoveredAt ? (recoveredAt.getTime() - t0.getTime()) / 1000 : undefined,
      rpoSeconds: loss.rpoSeconds,
      lostWrites: loss.lost,
      acknowledgedWrites: loss.acknowledged,
    };
    const verdict = judge(o.config.targets, achieved);
    const diffText = (d: typeof check.listing) =>
      d.equal
        ? `OK (${d.compared} keys)`
        : `FAILED: ${d.missing.length} missing, ${d.unexpected.length} unexpected, ${d.different.length} different (e.g. ${[...d.missing, ...d.unexpected, ...d.different].slice(0, 5).join(', ')})`;
    const report: DrillReport = {
      scenario: 's3-restore',
      drillId,
      title: 'RB-N-03 drill — S3 point-in-time restore of a prefix after a bad deploy',
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      outcome: verified && verdict.met.rto && verdict.met.rpo ? 'passed' : 'failed',
      targets: o.config.targets,
      achieved,
      ...verdict,
      events: events.sort((a, c) => Date.parse(a.at) - Date.parse(c.at)),
      spans: spans.sort((a, c) => Date.parse(a.start) - Date.parse(c.start)),
      facts: {
        emulator,
        bucket,
        prefix,
        distributionId,
        objectsSeeded: objects,
        restorePoint: T.toISOString(),
        faultAt: t0.toISOString(),
        restorePointAgeSeconds: (t0.getTime() - T.getTime()) / 1000,
        detection:
          'declared at once by the drill when the bad deploy finished (no detector measured)',
        faultDeleted: fault.deleted.length,
        faultOverwritten: fault.overwritten.length,
        runbook: runbookError
          ? `FAILED: ${runbookError}`
          : `rb-n-03 ${res?.summary?.outcome ?? '?'}`,
        plannedActions: Object.entries(state.plannedActions ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        planWarnings: state.planWarnings?.length ?? 0,
        invalidations: invalidationIds.length
          ? `${invalidationIds.join(', ')} completed at ${purgedAt.toISOString()}`
          : 'none',
        verificationByVersionListing: diffText(check.listing),
        verificationByWorkloadRecord: diffText(check.record),
        writesAcknowledged: loss.acknowledged,
        writesAcknowledgedBetweenTAndT0: ackedAfterT,
        writesLost: loss.lost,
        writesFailed: writer.failed,
        lostWindow: loss.oldestLostAt ? `${loss.oldestLostAt} … ${loss.newestLostAt}` : null,
        workloadRatePerSecond: rate,
      },
      ...(loss.newestLostAt
        ? {
            bands: [
              {
                kind: 'loss' as const,
                start: T.toISOString(),
                end: loss.newestLostAt,
                label: `${loss.lost} acknowledged writes given up by restoring to T (RPO ${loss.rpoSeconds.toFixed(2)} s)`,
              },
            ],
          }
        : {}),
      definitions: {
        rto: 'every key verified equal to its state at T and the CloudFront invalidation completed − T0 (the bad deploy starts)',
        rpo: "the span of acknowledged writes given up: the ack time of the newest acknowledged write the restored prefix no longer reflects − the restore point T (0 only when none is lost; the writer's log and a sha256 of every restored key). Restoring to T gives up every write acknowledged after T: that is the price of choosing T",
      },
      followUps: followUps(loss.lost, drillDir),
      ...(res ? { executionId: res.executionId } : {}),
    };
    return drillResult(o, report, drillDir);
  } finally {
    await writer?.stop().catch(() => undefined);
    close();
    clients?.destroy();
    await moto?.stop();
  }
}

/** The installed moto's version, from its dist-info directory in the venv. */
function motoVersion(): string {
  try {
    const lib = path.join(motoVenvDir(), 'lib');
    for (const py of readdirSync(lib)) {
      const m = readdirSync(path.join(lib, py, 'site-packages'))
        .map((d) => /^moto-([\w.]+)\.dist-info$/.exec(d)?.[1])
        .find(Boolean);
      if (m) return m;
    }
  } catch {
    // no venv layout we know: say so rather than guess
  }
  return '(version unknown)';
}

async function isMoto(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Polls every invalidation until it is Completed; returns when the last one completed. */
async function waitInvalidations(
  clients: AwsClients,
  distributionId: string,
  ids: ReadonlyArray<string>,
): Promise<Date> {
  const cf = clients.cloudfront();
  for (const id of ids) {
    // CloudFront answers `Completed`; moto `COMPLETED`
    await waitFor(
      async () =>
        (
          await cf.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }))
        ).Invalidation?.Status?.toLowerCase() === 'completed',
      {
        timeoutMs: 20 * 60_000,
        intervalMs: 1000,
        what: `CloudFront invalidation ${id}`,
      },
    ).catch((err: unknown) => {
      throw new DrError('TIMEOUT', (err as Error).message, { cause: err });
    });
  }
  return new Date();
}

function newestPerKey<T extends { key: string }>(xs: ReadonlyArray<T>): T[] {
  return [...new Map(xs.map((x) => [x.key, x])).values()];
}

function followUps(lost: number, drillDir: string): string[] {
  const out: string[] = [];
  if (lost > 0) {
    out.push(
      `${lost} acknowledged writes made after T were rolled back with the prefix: they are still noncurrent versions (a restore never deletes one); bring back those still wanted with \`drkit runbook run rb-n-03 --param manifest=${path.join(drillDir, 'lost-writes.csv')}\` after review`,
    );
  }
  out.push(
    'detection was declared at once by the drill: alert on mass DeleteObject / overwrite bursts (CloudTrail data events) and measure it',
  );
  out.push(
    'choosing T: writes in the same second as T cannot be ordered by S3 (LastModified has 1 s resolution); RB-N-03 warns about such keys',
  );
  return out;
}
