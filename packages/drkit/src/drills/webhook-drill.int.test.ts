import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { runWebhookOutageDrill } from './webhook-drill.js';

const baseDir = mkdtempSync('/tmp/drkit-wh-');
chmodSync(baseDir, 0o755); // the postgres user must traverse it
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

describe('drkit drill webhook-outage', () => {
  it('GIVEN the front door answering 503 to webhook deliveries while checkouts go on through it WHEN the drill runs THEN every missed event is applied once and nothing is left unreconciled', async () => {
    const res = await runWebhookOutageDrill({
      config: parseConfig({}),
      baseDir,
      warmupSeconds: 2,
      outageSeconds: 3,
      sustainSeconds: 1,
      checkoutsPerSecond: 4,
    });
    const r = res.report;
    expect(r.facts.runbook).toBe('rb-n-06 succeeded');
    expect(r.outcome).toBe('passed');
    expect(r.facts.missed).toBeGreaterThan(0);
    expect(r.facts.checkouts).toBeGreaterThan(0);
    // missed = deliveries the front door answered 503, each applied by the replay; the replay may also
    // beat a live delivery still in flight (which then finds a duplicate)
    expect(r.facts.replayedApplied).toBe(
      (r.facts.missed as number) + (r.facts.replayedBeforeLiveDelivery as number),
    );
    expect(r.facts.appliedTwice).toBe(0);
    expect(r.facts.unreconciledAfter).toBe(0);
    expect(r.achieved.rtoSeconds).toBeGreaterThan(0);
  });
  it('GIVEN a rate of 0 or an outage of 0 s WHEN the drill is asked THEN a clear error before any lab exists', async () => {
    const base = { config: parseConfig({}), baseDir };
    const drills = path.join(baseDir, '.drkit', 'drills');
    const made = () => (existsSync(drills) ? readdirSync(drills).length : 0);
    const before = made();
    await expect(runWebhookOutageDrill({ ...base, checkoutsPerSecond: 0 })).rejects.toThrow(
      /--rate 0: give 1\.\.50 per second/,
    );
    await expect(runWebhookOutageDrill({ ...base, outageSeconds: 0 })).rejects.toThrow(
      /--outage 0: give 1\.\.600 seconds/,
    );
    expect(made()).toBe(before);
  });
});
