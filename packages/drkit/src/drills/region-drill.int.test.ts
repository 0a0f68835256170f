import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { runRegionDrill } from './region-drill.js';

/**
 * The region drills end to end, each on a lab of its own (real PostgreSQL, pgBackRest,
 * HAProxy, app processes): synchronous failover loses nothing; a planned switchover loses
 * nothing within a 2 s write outage; a broken standby falls back to restoring the latest
 * backup. Needs the build (app tasks and workload run from dist/).
 */
describe('region drills (real two-region lab)', () => {
  let dir: string;
  const config = () =>
    ConfigSchema.parse({
      stateDir: dir,
      reportsDir: `${dir}/reports`,
      lab: { seed: { users: 100 } },
    });

  beforeAll(() => {
    dir = mkdtempSync('/tmp/drkit-region-drill-');
    chmodSync(dir, 0o755);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('unplanned failover with synchronous replication: no acknowledged write lost, RTO ≤ 10 s, fence holds', async () => {
    const r = await runRegionDrill({
      config: config(),
      baseDir: dir,
      scenario: 'region-failover',
      synchronous: true,
      warmupSeconds: 2,
      sustainSeconds: 4,
    });
    console.log(
      `sync failover: RTO ${r.report.achieved.rtoSeconds} s, lost ${r.report.achieved.lostWrites}/${r.report.achieved.acknowledgedWrites}, detection ${r.report.facts.detectionSeconds} s`,
    );
    expect(r.report.facts.replication).toBe('synchronous');
    expect(r.report.achieved.lostWrites).toBe(0);
    expect(r.report.achieved.acknowledgedWrites).toBeGreaterThan(30);
    expect(r.report.achieved.rtoSeconds!).toBeLessThanOrEqual(10);
    expect(r.fence?.ok).toBe(true);
    expect(r.report.outcome).toBe('passed');
  });

  it('planned switchover: RPO exactly 0 (replayed ≥ final LSN) and write unavailability ≤ 2 s', async () => {
    const r = await runRegionDrill({
      config: config(),
      baseDir: dir,
      scenario: 'switchover',
      warmupSeconds: 2,
      sustainSeconds: 4,
    });
    console.log(
      `switchover: unavailability ${r.report.facts.writeUnavailabilitySeconds} s, lost ${r.report.achieved.lostWrites}/${r.report.achieved.acknowledgedWrites}`,
    );
    expect(r.report.achieved.lostWrites).toBe(0);
    expect(r.state.finalLsn).toMatch(/\//);
    expect(Number(r.report.facts.writeUnavailabilitySeconds)).toBeLessThanOrEqual(2);
    expect(r.state.rejoin?.cluster).toBe('region-a');
    expect(r.report.outcome).toBe('passed');
  });

  it('falls back to restoring the latest backup when the standby is broken', async () => {
    const r = await runRegionDrill({
      config: config(),
      baseDir: dir,
      scenario: 'region-failover',
      breakStandby: true,
      checkFence: false,
      warmupSeconds: 2,
      sustainSeconds: 4,
    });
    console.log(
      `fallback: RTO ${r.report.achieved.rtoSeconds} s, lost ${r.report.achieved.lostWrites}/${r.report.achieved.acknowledgedWrites} (RPO ${r.report.achieved.rpoSeconds} s)`,
    );
    expect(r.state.decision).toBe('restore');
    expect(r.state.newPrimary).toBe('region-b-restored');
    expect(r.state.postChecks?.ok).toBe(true);
    expect(r.report.achieved.rtoSeconds).toBeDefined();
  });
});
