import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import type { BatchCopyJob, RestoreAction } from '../../ports/object-store.js';
import { batchManifestLine, createJobInput, writeBatchManifest } from './s3-batch-copy.js';

const job: BatchCopyJob = {
  bucket: 'media-originals-prod',
  manifestFile: '/tmp/x.csv',
  manifestBucket: 'dr-ops',
  manifestKey: 'drkit/rb-n-03/rb-n-03-20261202T015000-abcdef/manifest.csv',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/s3-batch-restore',
  reportBucket: 'dr-ops',
  reportPrefix: 'drkit/rb-n-03/rb-n-03-20261202T015000-abcdef/report',
  token: 'rb-n-03-20261202T015000-abcdef',
  description: 'drkit RB-N-03 test',
};

/**
 * What the real S3 Control client puts on the wire for `input`: its request handler captures
 * the HTTP request and refuses to send it (moto does not serve S3 Batch Operations, so the
 * request is checked against the SDK's own model and serializer instead).
 */
async function wire(input: ConstructorParameters<typeof CreateJobCommand>[0]) {
  let captured: { method: string; hostname: string; path: string; body: string } | undefined;
  const client = new S3ControlClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (req: { method: string; hostname: string; path: string; body: string }) => {
        captured = req;
        throw new Error('captured, not sent');
      },
    } as never,
  });
  await expect(client.send(new CreateJobCommand(input))).rejects.toThrow('captured, not sent');
  client.destroy();
  return captured!;
}

describe('S3 Batch Operations for the copy part of a restore', () => {
  it('GIVEN keys with commas, quotes, blanks, + and non-ASCII THEN each manifest line URL-encodes the key (slashes kept)', () => {
    expect(batchManifestLine('b', 'img/a b,c"d+e.jpg', 'v1')).toBe(
      'b,img/a%20b%2Cc%22d%2Be.jpg,v1',
    );
    expect(batchManifestLine('b', 'é/x\ny', 'null')).toBe('b,%C3%A9/x%0Ay,null');
  });

  it('GIVEN a plan stream THEN the manifest holds its copy entries only, one line each', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'drkit-batch-')), 'm.csv');
    async function* plan(): AsyncGenerator<RestoreAction> {
      yield { kind: 'copy', key: 'a,1', versionId: 'v1', reason: 'overwritten-after-t' };
      yield { kind: 'delete', key: 'b', reason: 'created-after-t' };
      yield {
        kind: 'remove-delete-markers',
        key: 'c',
        versionId: 'v3',
        deleteMarkerVersionIds: ['m1'],
        reason: 'deleted-after-t',
      };
      for (let i = 0; i < 2500; i++)
        yield { kind: 'copy', key: `k/${i}`, versionId: `v${i}`, reason: 'deleted-after-t' };
    }
    expect(await writeBatchManifest('media', plan(), file)).toBe(2501);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(2502); // the last line ends with a newline
    expect(lines[0]).toBe('media,a%2C1,v1');
    expect(lines[2500]).toBe('media,k/2499,v2499');
  });

  it('GIVEN a job THEN the real S3 Control client serializes CreateJob: S3PutObjectCopy over the same bucket, metadata kept, the CSV manifest spec, the report, the role, the token', async () => {
    const req = await wire(createJobInput(job, '"9b2cf535f27731c974343645a3985328"'));
    expect(req.method).toBe('POST');
    expect(req.hostname).toBe('123456789012.s3-control.us-east-1.amazonaws.com');
    expect(req.path).toBe('/v20180820/jobs');
    const xml = req.body;
    expect(xml).toContain(
      '<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">',
    );
    expect(xml).toContain(
      '<Operation><S3PutObjectCopy><TargetResource>arn:aws:s3:::media-originals-prod</TargetResource><MetadataDirective>COPY</MetadataDirective></S3PutObjectCopy></Operation>',
    );
    expect(xml).toContain(
      '<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member><member>VersionId</member></Fields></Spec>' +
        `<Location><ObjectArn>arn:aws:s3:::dr-ops/${job.manifestKey}</ObjectArn><ETag>9b2cf535f27731c974343645a3985328</ETag></Location></Manifest>`,
    );
    expect(xml).toContain(
      `<Report><Enabled>true</Enabled><Bucket>arn:aws:s3:::dr-ops</Bucket><Format>Report_CSV_20180820</Format><Prefix>${job.reportPrefix}</Prefix><ReportScope>AllTasks</ReportScope></Report>`,
    );
    expect(xml).toContain(`<RoleArn>${job.roleArn}</RoleArn>`);
    expect(xml).toContain(`<ClientRequestToken>${job.token}</ClientRequestToken>`);
    expect(xml).toContain('<ConfirmationRequired>false</ConfirmationRequired>');
    expect(xml).toContain('<Priority>10</Priority>');
  });
});
