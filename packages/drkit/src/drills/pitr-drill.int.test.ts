import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../report/drill-report.js';
import { makeLabFixture, type LabFixture } from '../testing/lab-fixture.js';
import { labProvider } from '../lab/provider.js';
import { readWorkloadLog } from './measure.js';
import { runPitrDrill, type PitrDrillResult } from './pitr-drill.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The PITR drill with real alerting (Prometheus 2.42, Alertmanager 0.25, drkit's receiver): the
 * bad mass delete is detected by the MassDeleteOnCoreTable alert, not declared by the drill.
 */
describe('drkit drill pitr --alerting (real PostgreSQL + pgBackRest, workload process, Prometheus)', () => {
  let fx: LabFixture;
  let res: PitrDrillResult;

  beforeAll(async () => {
    fx = makeLabFixture({
      lab: {
        seed: { users: 300, ordersPerUser: 4 },
        workload: { writesPerSecond: 40 },
        alerting: { rulesFile: path.join(REPO, 'ops/prometheus/rules.yml') },
      },
      // a third of 1 200 orders is deleted: a mass delete above 100 rows
      posture: { massDeleteRows: 100 },
    });
    res = await runPitrDrill({
      config: fx.config,
      baseDir: fx.dir,
      alerting: true,
      warmupSeconds: 2,
      sustainSeconds: 4,
      keep: true,
    });
  });

  afterAll(async () => {
    if (res) {
      const drillConfig = { ...fx.config, stateDir: res.drillDir };
      const { labDown } = await import('../lab/lab-down.js');
      await labDown(labProvider(drillConfig, fx.dir), { destroy: true });
    }
    await fx?.cleanup();
  });

  it('passes, restores to just before the fault and validates against the pre-fault checksums', () => {
    const r = res.report;
    expect(r.outcome).toBe('passed');
    expect(Date.parse(String(r.facts.restoreTarget))).toBeLessThan(
      Date.parse(String(r.facts.corruptionAt)),
    );
    expect(String(r.facts.validation)).toMatch(/^OK/);
    expect(r.spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'restore-to-time',
        'validate',
        'swap-connections',
        'unfreeze-writes',
      ]),
    );
  });

  it('detects the mass delete by real alerting: MassDeleteOnCoreTable fired after T0, received, notified, and only then RB-N-02 started', () => {
    const r = res.report;
    const f = r.facts;
    console.log(
      `pitr --alerting: alert fired ${f.alertFiredSeconds} s after T0, detection (received) ${f.detectionSeconds} s, RTO ${r.achieved.rtoSeconds} s`,
    );
    expect(f.detectedBy).toMatch(/^alerting: MassDeleteOnCoreTable/);
    expect(Number(f.alertFiredSeconds)).toBeGreaterThan(0);
    expect(Number(f.detectionSeconds)).toBeGreaterThanOrEqual(Number(f.alertFiredSeconds));
    expect(Number(f.detectionSeconds)).toBeLessThan(30);
    const at = (name: string) => Date.parse(r.events.find((e) => e.name === name)!.at);
    expect(at('T0')).toBeLessThan(at('alert fired'));
    expect(at('alert fired')).toBeLessThanOrEqual(at('detected'));
    const restore = r.spans.find((s) => s.name === 'restore-to-time')!;
    expect(at('detected')).toBeLessThanOrEqual(Date.parse(restore.start));
    expect(r.followUps.join('\n')).not.toMatch(/detection was instantaneous/);
    const p = labProvider({ ...fx.config, stateDir: res.drillDir }, fx.dir);
    expect(readFileSync(p.paths.notificationsFile, 'utf8')).toMatch(
      /\[FIRING\] MassDeleteOnCoreTable: [\d.k]+ rows deleted from orders on region-a within a minute/,
    );
  });

  it('flushes the app cache after the swap: no profile read during the incident is served stale after the restore', () => {
    const f = res.report.facts;
    expect(f.staleReadsChecked).toBe(50);
    expect(f.staleReadsAfterRestore).toBe(0);
    // the users read after T0 were cached, and the workload writes for other users only
    expect(f.cacheKeysFlushed).toEqual(expect.any(Number));
    expect(Number(f.cacheKeysFlushed)).toBeGreaterThan(0);
    expect(res.report.spans.map((s) => s.name)).toContain('flush-cache');
  });

  it('writes the evidence files: markdown, JSON equal to the report, SVG timeline', () => {
    expect(res.files.markdown).toMatch(/\d{4}-Q[1-4]-pitr-\d{8}T\d{6}Z\.md$/);
    expect(JSON.parse(readFileSync(res.files.json, 'utf8')) as DrillReport).toEqual(res.report);
    expect(readFileSync(res.files.markdown, 'utf8')).toContain('## Target vs achieved');
    expect(existsSync(res.files.svg)).toBe(true);
    expect(readFileSync(res.files.svg, 'utf8')).toContain('restore-to-time');
  });

  it('reports the incident RB-N-02 declared: SEV1, told per the matrix, on the lab status page as a drill, monitoring once restored', () => {
    const i = res.report.incident!;
    expect(i).toMatchObject({
      severity: 'SEV1',
      level: 'SEV1',
      status: 'monitoring',
      escalations: 0,
    });
    expect(i.timeline.map((e) => e.type)).toEqual([
      'opened',
      'notified',
      'notified',
      'status-page',
      'status',
      'status-page',
    ]);
    expect(i.timeline.filter((e) => e.type === 'notified').map((e) => e.who)).toEqual([
      'Eng Lead',
      'CTO',
    ]);
    expect(i.timeline[3]!.note).toMatch(/subscribers not notified: drill/);
    expect(i.statusPage).toMatchObject({ kind: 'lab-status-page', indicator: 'critical' });
    expect(readFileSync(res.files.markdown, 'utf8')).toContain('## Incident and communication');
  });

  it('measures RTO from T0 to the first sustained write on the restored cluster', () => {
    const r = res.report;
    const t0 = Date.parse(r.events.find((e) => e.name === 'T0')!.at);
    const recovered = Date.parse(r.events.find((e) => e.name === 'recovered')!.at);
    expect(r.achieved.rtoSeconds).toBeCloseTo((recovered - t0) / 1000, 3);
    const restore = r.spans.find((s) => s.name === 'restore-to-time')!;
    expect(recovered).toBeGreaterThan(Date.parse(restore.end!)); // not before the restore finished
  });

  it('counts lost writes exactly: acknowledged on the old cluster after the target, absent from the restored one', async () => {
    const r = res.report;
    const drillConfig = { ...fx.config, stateDir: res.drillDir };
    const p = labProvider(drillConfig, fx.dir);
    const records = readWorkloadLog(`${res.drillDir}/workload.jsonl`);
    const acks = records.filter((x): x is Extract<typeof x, { type: 'ack' }> => x.type === 'ack');
    expect(r.achieved.acknowledgedWrites).toBe(acks.length);
    // Ground truth from the retired cluster: the acknowledged writes it holds that were
    // committed after the restore target are exactly the ones the restore cannot have.
    await p.clusters.start('region-a');
    const old = await p.connect({ ...p.clusters.connectionConfig('region-a', 'app') });
    try {
      const refs = acks.filter((a) => a.cluster === 'region-a').map((a) => a.ref);
      const q = await old.query<{ n: string }>(
        `SELECT count(*)::text n FROM orders WHERE client_ref = ANY($1::uuid[]) AND created_at > $2::timestamptz`,
        [refs, r.facts.restoreTarget],
      );
      expect(r.achieved.lostWrites).toBe(Number(q.rows[0]!.n));
    } finally {
      await old.end();
    }
  });
});
