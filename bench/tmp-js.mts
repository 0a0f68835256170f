import http from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3Client, CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, CopyObjectCommand } from '@aws-sdk/client-s3';
const [ep, nStr, mode, concStr] = process.argv.slice(2); const n = Number(nStr); const conc = Number(concStr);
const extra = mode === 'agent' ? { requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: conc }) }) } : {};
const s3 = new S3Client({ endpoint: ep, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, ...extra });
const b = 'jsb' + Date.now();
await s3.send(new CreateBucketCommand({ Bucket: b }));
await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
const vids: string[] = [];
for (let i = 0; i < n; i++) { const r = await s3.send(new PutObjectCommand({ Bucket: b, Key: `k${i}`, Body: 'x'.repeat(100) })); vids.push(r.VersionId!); await s3.send(new PutObjectCommand({ Bucket: b, Key: `k${i}`, Body: 'y'.repeat(100) })); }
const t = Date.now(); let next = 0;
await Promise.all(Array.from({ length: conc }, async () => { while (next < n) { const i = next++; await s3.send(new CopyObjectCommand({ Bucket: b, Key: `k${i}`, CopySource: `${b}/k${i}?versionId=${vids[i]}`, MetadataDirective: 'COPY' })); } }));
console.log(mode, conc, 'copies/s', (n / ((Date.now() - t) / 1000)).toFixed(1));
