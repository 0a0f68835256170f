import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.js';
import { execute, type ExecutorEvent } from '../../engine/executor.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { dumpVersions, startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { runStep } from '../../testing/run-step.js';
import { sleep } from '../../util/net.js';
import { createS3RestoreRunbook, S3RestoreParamsSchema, type S3RestoreState } from './index.js';
import { readPlan } from './plan-file.js';

/**
 * RB-N-03's S3 Batch Operations path on moto: above `batchOperationsAbove` copies, the plan's
 * copies are written as a Batch Operations manifest beside the journal; the dry run prints the
 * CreateJob request; a real run refuses without `submitBatchJob=true` (nothing changed); with
 * it, the manifest is uploaded to moto for real and the CreateJob request goes to an S3 Control
 * client whose request handler captures it unsent (moto does not serve S3 Batch Operations).
 * Below the threshold the in-process restore does everything.
 */
const bucket = 'media-batch';
const ops = 'dr-ops';
const key = (i: number) => `img/${String(i).padStart(2, '0')} ,x.jpg`; // blank and comma: URL-encoded in the CSV
let moto: MotoServer;
let clients: AwsClients;
let T: string;
const versionAtT = new Map<string, string>();

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  const s3 = clients.s3();
  for (const b of [bucket, ops]) {
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  for (let i = 0; i < 30; i++) {
    const out = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `good-${i}` }),
    );
    versionAtT.set(key(i), out.VersionId!);
  }
  await sleep(1100);
  T = new Date().toISOString();
  await sleep(1100);
  await incident();
});

/** After T: 15 keys overwritten, 5 deleted, 3 created (again, after a test restored them). */
async function incident() {
  const s3 = clients.s3();
  for (let i = 0; i < 15; i++)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `bad-${i}` }));
  for (let i = 15; i < 20; i++)
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(i) }));
  for (let i = 30; i < 33; i++)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: `new-${i}` }));
}
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

const batch = {
  batchOperationsAbove: 10,
  batchRoleArn: 'arn:aws:iam::123456789012:role/s3-batch-restore',
  batchAccountId: '123456789012',
  batchManifestBucket: ops,
};

function params(journalDir: string, extra: Record<string, unknown>): S3RestoreState {
  const p = S3RestoreParamsSchema.parse({ bucket, prefix: 'img/', at: T, ...extra });
  return { ...(p as S3RestoreState), batchReportBucket: ops, planDir: journalDir };
}

/** An S3 Control client that captures each request it would send, and sends none. */
function capturingControl() {
  const seen: Array<{ method: string; hostname: string; path: string; body: string }> = [];
  const client = new S3ControlClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (req: { method: string; hostname: string; path: string; body: string }) => {
        seen.push(req);
        throw new Error('captured, not sent');
      },
    } as never,
  });
  return { client, seen };
}

const world = async () => [await dumpVersions(clients.s3(), bucket)];
const body = async (k: string): Promise<string | null> => {
  try {
    const out = await clients.s3().send(new GetObjectCommand({ Bucket: bucket, Key: k }));
    return await out.Body!.transformToString();
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return null;
    throw e;
  }
};

describe('RB-N-03 S3 Batch Operations path (moto)', () => {
  it('GIVEN more copies than batchOperationsAbove WHEN --dry-run THEN the CreateJob request is printed and nothing changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-batch-'));
    const before = await world();
    const events: ExecutorEvent[] = [];
    const rb = createS3RestoreRunbook({ store: new S3ObjectStore({ clients }) });
    await execute(rb, params(dir, batch), {
      journalDir: dir,
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    const plan = (step: string) =>
      events.flatMap((e) => (e.type === 'plan' && e.step === step ? e.lines : []));
    expect(plan('plan-restore')).toContain(
      '15 copies > batchOperationsAbove=10: the copies go to one S3 Batch Operations job (submit-batch-copy), the rest is applied in-process',
    );
    const lines = plan('submit-batch-copy');
    const create = lines.find((l) => l.startsWith('s3control:CreateJob'))!;
    const req = JSON.parse(create.slice(create.indexOf('{'))) as Record<string, unknown>;
    expect(req).toMatchObject({
      AccountId: '123456789012',
      RoleArn: batch.batchRoleArn,
      Operation: {
        S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${bucket}`, MetadataDirective: 'COPY' },
      },
      Manifest: {
        Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key', 'VersionId'] },
      },
      Report: { Bucket: `arn:aws:s3:::${ops}`, Enabled: true, ReportScope: 'AllTasks' },
    });
    expect(lines.some((l) => l.startsWith(`s3:PutObject Bucket=${ops} Key=drkit/rb-n-03/`))).toBe(
      true,
    );
    expect(await world()).toEqual(before);
    expect(await dumpVersions(clients.s3(), ops)).toEqual([{ Versions: [], DeleteMarkers: [] }]);
  });

  it('GIVEN the batch path WHEN run without submitBatchJob THEN it stops before any write, the manifest CSV beside the journal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-batch-'));
    const before = await world();
    const rb = createS3RestoreRunbook({ store: new S3ObjectStore({ clients }) });
    await expect(execute(rb, params(dir, batch), { journalDir: dir, yes: true })).rejects.toThrow(
      /15 copies are above batchOperationsAbove=10: .*nothing was changed/,
    );
    expect(await world()).toEqual(before);
    const csv = readdirSync(dir).find((f) => f.endsWith('.s3-batch-manifest.csv'))!;
    const lines = readFileSync(path.join(dir, csv), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(15);
    for (let i = 0; i < 15; i++) {
      expect(lines).toContain(
        `${bucket},img/${String(i).padStart(2, '0')}%20%2Cx.jpg,${versionAtT.get(key(i))}`,
      );
    }
  });

  it('GIVEN submitBatchJob=true THEN the manifest is uploaded and CreateJob names it by its ETag; the bucket restored is untouched until the job runs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-batch-'));
    const before = await world();
    const { client, seen } = capturingControl();
    const rb = createS3RestoreRunbook({ store: new S3ObjectStore({ clients, s3control: client }) });
    await expect(
      execute(rb, params(dir, { ...batch, submitBatchJob: 'true' }), {
        journalDir: dir,
        yes: true,
      }),
    ).rejects.toThrow(/s3control:CreateJob.*captured, not sent/);
    client.destroy();
    expect(await world()).toEqual(before);
    const csv = readdirSync(dir).find((f) => f.endsWith('.s3-batch-manifest.csv'))!;
    const executionId = csv.replace('.s3-batch-manifest.csv', '');
    const manifestKey = `drkit/rb-n-03/${executionId}/manifest.csv`;
    const up = await clients.s3().send(new GetObjectCommand({ Bucket: ops, Key: manifestKey }));
    expect(await up.Body!.transformToString()).toBe(readFileSync(path.join(dir, csv), 'utf8'));
    const etag = (
      await clients.s3().send(new HeadObjectCommand({ Bucket: ops, Key: manifestKey }))
    ).ETag!.replace(/"/g, '');
    expect(seen.length).toBeGreaterThanOrEqual(1);
    const req = seen[0]!;
    expect(`${req.method} ${req.hostname}${req.path}`).toBe(
      'POST 123456789012.s3-control.us-east-1.amazonaws.com/v20180820/jobs',
    );
    expect(req.body).toContain(
      `<Location><ObjectArn>arn:aws:s3:::${ops}/${manifestKey}</ObjectArn><ETag>${etag}</ETag></Location>`,
    );
    expect(req.body).toContain(`<ClientRequestToken>${executionId}</ClientRequestToken>`);
    expect(req.body).toContain(`<TargetResource>arn:aws:s3:::${bucket}</TargetResource>`);
  });

  it('GIVEN a job holds the copies THEN restore-objects applies only the rest, verify names the copies until the job has made them, and passes once the manifest has been carried out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-batch-'));
    const store = new S3ObjectStore({ clients });
    const rb = createS3RestoreRunbook({ store });
    const step = (id: string) => rb.steps.find((x) => x.id === id)!;
    const id = 'it-batch-job';
    let s = await runStep(step('plan-restore'), params(dir, batch), id);
    // as if CreateJob had answered: the state submit-batch-copy records
    const file = path.join(dir, `${id}.s3-batch-manifest.csv`);
    async function* planned() {
      for await (const e of readPlan(s.planFile!)) yield e.a;
    }
    const batchCopies = await store.writeBatchCopyManifest(bucket, planned(), file);
    s = { ...s, batchJobId: 'job-0001', batchCopies, batchManifestFile: file };
    s = await runStep(step('restore-objects'), s, id);
    expect(s).toMatchObject({ restoredCount: 5, deletedCount: 3 });
    for (let i = 0; i < 15; i++) expect(await body(key(i))).toBe(`bad-${i}`); // left to the job
    expect(await body(key(15))).toBe('good-15');
    expect(await body(key(30))).toBeNull();
    const err = await runStep(step('verify-restore'), s, id).catch((e: unknown) => e);
    expect(String(err)).toMatch(/15 key\(s\) are not at their target state/);
    expect((err as { hint?: string }).hint).toMatch(
      /S3 Batch Operations job job-0001 .*describe-job --account-id 123456789012 --job-id job-0001/,
    );
    // what the job does per manifest line (S3PutObjectCopy): the version copied over its key
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const [b, k, v] = line.split(',') as [string, string, string];
      await clients.s3().send(
        new CopyObjectCommand({
          Bucket: b,
          Key: decodeURIComponent(k),
          CopySource: `${b}/${k}?versionId=${v}`,
          MetadataDirective: 'COPY',
        }),
      );
    }
    s = await runStep(step('verify-restore'), s, id);
    expect(s).toMatchObject({ listingPasses: 2, verifiedByResponse: 8, changedUnderRestore: [] });
    for (let i = 0; i < 30; i++) expect(await body(key(i))).toBe(`good-${i}`);
  });

  it('GIVEN fewer copies than batchOperationsAbove THEN no job: the in-process restore does everything', async () => {
    await incident();
    const dir = mkdtempSync(path.join(tmpdir(), 'drkit-batch-'));
    const rb = createS3RestoreRunbook({ store: new S3ObjectStore({ clients }) });
    const res = await execute(rb, params(dir, { ...batch, batchOperationsAbove: 100 }), {
      journalDir: dir,
      yes: true,
    });
    expect(res.summary?.outcome).toBe('succeeded');
    expect(res.state).toMatchObject({ restoredCount: 20, deletedCount: 3, listingPasses: 2 });
    expect(res.state.batchJobId).toBeUndefined();
    expect(readdirSync(dir).some((f) => f.endsWith('.s3-batch-manifest.csv'))).toBe(false);
    expect(existsSync(dir)).toBe(true);
    for (let i = 0; i < 15; i++) {
      const out = await clients.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key(i) }));
      expect(await out.Body!.transformToString()).toBe(`good-${i}`);
    }
  });
});
