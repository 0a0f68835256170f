import {
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import type { PostureCheck } from '../../../ports/posture.js';
import type { AwsClients } from '../clients.js';
import { awsCall, awsErrorName } from '../errors.js';
import { CheckList } from './check-list.js';
import { judgeDeletePolicy } from './s3-delete-policy.js';

/** What the S3 checks hold one bucket to. */
export interface S3PostureTarget {
  readonly bucket: string;
  /** The region whose endpoint reads the bucket (region A). */
  readonly region: string;
  /** The region replication must reach. */
  readonly regionB: string;
  /** A compliance bucket: Object Lock with a default retention is required. */
  readonly objectLock: boolean;
  readonly objectLockMinDays: number;
  readonly breakGlassRoleArn?: string;
}

/** `undefined` when S3 answers that the configuration does not exist. */
async function orAbsent<T>(absent: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    if (awsErrorName((err as { cause?: unknown }).cause ?? err) === absent) return undefined;
    throw err;
  }
}

/**
 * One bucket's posture: versioning Enabled, an enabled replication rule whose destination bucket
 * is in region B, Object Lock (required for compliance buckets), and the policy denying
 * s3:DeleteObjectVersion except to the break-glass role (seed 000).
 */
export async function s3Posture(clients: AwsClients, t: S3PostureTarget): Promise<CheckList> {
  const list = new CheckList();
  const s3 = clients.s3(t.region);
  const subject = `bucket ${t.bucket}`;
  const ctx = (action: string) => ({ action, resource: `s3://${t.bucket}` });

  await list.guard('s3.versioning', subject, async () => {
    const v = await awsCall(ctx('s3:GetBucketVersioning'), () =>
      s3.send(new GetBucketVersioningCommand({ Bucket: t.bucket })),
    );
    const st = v.Status ?? 'never enabled';
    list.add(
      's3.versioning',
      subject,
      st === 'Enabled' ? 'pass' : 'fail',
      st,
      st === 'Enabled'
        ? 'overwrites and deletes keep the previous version (RB-N-03 restores from them)'
        : st === 'Suspended'
          ? 'versioning suspended: new overwrites and deletes destroy the previous data'
          : 'versioning never enabled: an overwrite or delete is final',
    );
  });

  await list.guard('s3.replication', subject, async () => {
    const r = await orAbsent('ReplicationConfigurationNotFoundError', () =>
      awsCall(ctx('s3:GetBucketReplication'), () =>
        s3.send(new GetBucketReplicationCommand({ Bucket: t.bucket })),
      ),
    );
    const rules = r?.ReplicationConfiguration?.Rules ?? [];
    if (rules.length === 0) {
      list.add(
        's3.replication',
        subject,
        'fail',
        'no replication rule',
        `nothing is copied to ${t.regionB}: a region loss loses the bucket`,
      );
      return;
    }
    const seen: string[] = [];
    let ok: string | undefined;
    for (const rule of rules) {
      const dest = rule.Destination?.Bucket?.replace(/^arn:aws[a-z-]*:s3:::/, '') ?? '?';
      const loc = await awsCall({ action: 's3:GetBucketLocation', resource: `s3://${dest}` }, () =>
        s3.send(new GetBucketLocationCommand({ Bucket: dest })),
      ).then(
        (l) => l.LocationConstraint || 'us-east-1', // S3 answers none for us-east-1
        (e: unknown) => `unknown (${(e as Error).message})`,
      );
      const prefix = rule.Filter?.Prefix ?? rule.Prefix ?? '';
      seen.push(
        `${rule.ID ?? 'rule'} ${rule.Status} → ${dest} (${loc})${prefix ? ` prefix ${prefix}` : ''}`,
      );
      if (rule.Status === 'Enabled' && loc === t.regionB && !prefix && !ok) ok = dest;
    }
    list.add(
      's3.replication',
      subject,
      ok ? 'pass' : 'fail',
      seen.join('; '),
      ok
        ? `new objects are replicated to ${ok} in ${t.regionB}`
        : `no enabled rule replicates the whole bucket to a bucket in ${t.regionB}`,
    );
  });

  await list.guard('s3.object-lock', subject, async () => {
    const l = await orAbsent('ObjectLockConfigurationNotFoundError', () =>
      awsCall(ctx('s3:GetObjectLockConfiguration'), () =>
        s3.send(new GetObjectLockConfigurationCommand({ Bucket: t.bucket })),
      ),
    );
    const cfg = l?.ObjectLockConfiguration;
    const ret = cfg?.Rule?.DefaultRetention;
    const days = ret ? (ret.Days ?? 0) + (ret.Years ?? 0) * 365 : undefined;
    const value =
      cfg?.ObjectLockEnabled === 'Enabled'
        ? `enabled${ret ? `, default ${ret.Mode} ${days} days` : ', no default retention'}`
        : 'off';
    if (!t.objectLock) {
      list.add(
        's3.object-lock',
        subject,
        'pass',
        value,
        'not required: not a compliance bucket (aws.s3.objectLockBuckets)',
      );
      return;
    }
    const min = t.objectLockMinDays;
    const status =
      value === 'off' ? 'fail' : days === undefined ? 'warn' : days >= min ? 'pass' : 'fail';
    list.add(
      's3.object-lock',
      subject,
      status,
      value,
      status === 'warn'
        ? 'only objects written with their own retention are locked'
        : `compliance bucket: a default retention of at least ${min} days (seed 000: 7–30)`,
    );
  });

  await list.guard('s3.delete-policy', subject, async () => {
    const p = await orAbsent('NoSuchBucketPolicy', () =>
      awsCall(ctx('s3:GetBucketPolicy'), () =>
        s3.send(new GetBucketPolicyCommand({ Bucket: t.bucket })),
      ),
    );
    const v = judgeDeletePolicy(t.bucket, p?.Policy, t.breakGlassRoleArn);
    list.add('s3.delete-policy', subject, v.status, v.value, v.reason);
  });
  return list;
}

/** The buckets {@link s3BucketsPosture} checks and what it holds them to. */
export interface S3BucketsPostureOptions {
  /** Buckets checked for versioning, replication to `regionB` and the delete policy. */
  readonly buckets: readonly string[];
  /** Compliance buckets: also need Object Lock with a default retention. */
  readonly objectLockBuckets: readonly string[];
  readonly objectLockMinDays: number;
  /** The region whose endpoint reads the buckets. */
  readonly region: string;
  readonly regionB: string;
  /** @default none (an exemption is reported, not judged: a warn) */
  readonly breakGlassRoleArn?: string;
  /** Progress lines. @default none */
  readonly progress?: (line: string) => void;
}

/**
 * Every named bucket's posture ({@link s3Posture}), each bucket once (a compliance bucket named
 * in both lists too): what `drkit verify` runs on AWS and on the lab's S3 (moto).
 */
export async function s3BucketsPosture(
  clients: AwsClients,
  o: S3BucketsPostureOptions,
): Promise<PostureCheck[]> {
  const out: PostureCheck[] = [];
  for (const bucket of new Set([...o.buckets, ...o.objectLockBuckets])) {
    o.progress?.(
      `verifying s3://${bucket}: versioning, replication to ${o.regionB}, Object Lock, delete policy…`,
    );
    const l = await s3Posture(clients, {
      bucket,
      region: o.region,
      regionB: o.regionB,
      objectLock: o.objectLockBuckets.includes(bucket),
      objectLockMinDays: o.objectLockMinDays,
      ...(o.breakGlassRoleArn ? { breakGlassRoleArn: o.breakGlassRoleArn } : {}),
    });
    out.push(...l.checks);
  }
  return out;
}
