import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import type { DrillReport } from '../report/drill-report.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';
import type { DrillResult } from './drill-options.js';
import { runS3Drill } from './s3-drill.js';
import type { S3WriteAck } from './s3-measure.js';
import { sha256 } from './s3-workload.js';

/**
 * `drkit drill s3-restore` end to end on moto: one run against a moto server started here
 * (so the bucket can be checked afterwards, independently of the drill), one through the
 * built CLI on the drill's own moto, and the inputs it must refuse.
 */
let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let own: LabFixture;
let res: DrillResult;

beforeAll(async () => {
  // the drill talks to a configured endpoint with the CLI's credential chain: the environment
  motoCli = await startMotoCli({ processEnv: true });
  ({ clients } = motoCli);
  fx = motoCli.fixture();
  own = motoCli.bareFixture();
  res = await runS3Drill({
    config: fx.config,
    baseDir: fx.dir,
    objects: 100,
    warmupSeconds: 1,
    windowSeconds: 2,
  });
});

afterAll(() => motoCli?.stop());

const at = (r: DrillReport, name: string) => Date.parse(r.events.find((e) => e.name === name)!.at);
const acksOf = (drillDir: string) =>
  readFileSync(path.join(drillDir, 'workload.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as S3WriteAck);

describe('drkit drill s3-restore (moto)', () => {
  it('passes: RB-N-03 ran through the engine with a journal and every key verified against its state at T', () => {
    const r = res.report;
    expect(r.outcome).toBe('passed');
    expect(r.facts.runbook).toBe('rb-n-03 succeeded');
    expect(r.facts.verificationByVersionListing).toMatch(/^OK \(\d+ keys\)$/);
    expect(r.facts.verificationByWorkloadRecord).toMatch(/^OK \(\d+ keys\)$/);
    expect(Number(r.facts.faultDeleted)).toBeGreaterThan(0);
    expect(Number(r.facts.faultOverwritten)).toBeGreaterThan(0);
    expect(r.spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'plan-restore',
        'restore-objects',
        'invalidate-cdn',
        'verify-restore',
      ]),
    );
    expect(readdirSync(path.join(res.drillDir, 'journal'))).toContain(`${r.executionId}.jsonl`);
    expect(r.facts.emulator).toMatch(
      /^S3 at aws\.endpoint http:\/\/127\.0\.0\.1:\d+ \(a moto server/,
    );
  });

  it('leaves the prefix equal to its state at T, checked here from the seed and the workload log', async () => {
    const r = res.report;
    const T = Date.parse(String(r.facts.restorePoint));
    const want = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      const key = `media/obj-${String(i).padStart(5, '0')}.bin`;
      want.set(key, sha256(`seed ${key} ${'x'.repeat(64)}`));
    }
    for (const a of acksOf(res.drillDir)) if (Date.parse(a.at) <= T) want.set(a.key, a.sha256);
    const s3 = clients.s3();
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: String(r.facts.bucket), Prefix: 'media/' }),
    );
    const have = new Map<string, string>();
    for (const o of listed.Contents ?? []) {
      const b = await s3.send(
        new GetObjectCommand({ Bucket: String(r.facts.bucket), Key: o.Key! }),
      );
      have.set(o.Key!, sha256(await b.Body!.transformToByteArray()));
    }
    expect(Object.fromEntries(have)).toEqual(Object.fromEntries(want));
  });

  it('measures RTO from T0 to verified + purged, and loses exactly the writes acknowledged between T and T0', () => {
    const r = res.report;
    const t0 = at(r, 'T0');
    const T = at(r, 'T');
    expect(r.achieved.rtoSeconds).toBeGreaterThan(0);
    expect(r.achieved.rtoSeconds).toBeCloseTo((at(r, 'recovered') - t0) / 1000, 3);
    expect(at(r, 'recovered')).toBeGreaterThanOrEqual(
      Date.parse(r.spans.find((s) => s.name === 'restore-objects')!.end!),
    );
    const acks = acksOf(res.drillDir);
    const between = acks.filter((a) => Date.parse(a.at) > T && Date.parse(a.at) < t0);
    expect(between.length).toBeGreaterThan(0);
    expect(acks.length).toBeGreaterThan(between.length); // writes before T too, which the restore keeps
    expect(r.achieved.acknowledgedWrites).toBe(acks.length);
    expect(r.achieved.lostWrites).toBe(between.length);
    // RPO is the span given up by restoring to T (ARCHITECTURE.md): T → the newest lost write
    // (it was T0 − the oldest lost one).
    const newest = Math.max(...between.map((a) => Date.parse(a.at)));
    expect(r.achieved.rpoSeconds).toBeCloseTo((newest - T) / 1000, 3);
    expect(r.achieved.rpoSeconds!).toBeLessThanOrEqual((t0 - T) / 1000);
  });

  it('writes the evidence: markdown, JSON equal to the report, SVG timeline', () => {
    expect(res.files.markdown).toMatch(/\d{4}-Q[1-4]-s3-restore-\d{8}T\d{6}Z\.md$/);
    expect(JSON.parse(readFileSync(res.files.json, 'utf8')) as DrillReport).toEqual(res.report);
    const md = readFileSync(res.files.markdown, 'utf8');
    expect(md).toContain('## Target vs achieved');
    expect(md).toContain('price of choosing T');
    expect(existsSync(res.files.svg)).toBe(true);
    expect(readFileSync(res.files.svg, 'utf8')).toContain('restore-objects');
  });

  it('through the CLI on its own moto server: --json, says which moto, exit 0', async () => {
    const r = await motoCli.run([
      '--config',
      own.configFile,
      '--json',
      'drill',
      's3-restore',
      '--objects',
      '20',
      '--warmup',
      '1',
      '--window',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { report: DrillReport; files: { markdown: string } };
    expect(out.report.outcome).toBe('passed');
    expect(out.report.facts.emulator).toMatch(
      /^S3 emulated by moto \d+\.\d+\.\d+ \(started and stopped by the drill\)$/,
    );
    expect(existsSync(out.files.markdown)).toBe(true);
  });

  it('refuses --objects 0, and an unversioned bucket, with a clear error', async () => {
    const zero = await motoCli.run([
      '--config',
      own.configFile,
      'drill',
      's3-restore',
      '--objects',
      '0',
    ]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--objects 0: give a whole number from 1 to 100000');
    await clients.s3().send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));
    const plain = await motoCli.run([
      '--config',
      fx.configFile,
      'drill',
      's3-restore',
      '--bucket',
      'plain-bucket',
    ]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain(
      's3://plain-bucket has versioning never enabled: RB-N-03 restores object versions',
    );
  });
});
