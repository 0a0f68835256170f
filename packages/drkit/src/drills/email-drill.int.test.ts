import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { runEmailFailoverDrill } from './email-drill.js';

const baseDir = mkdtempSync('/tmp/drkit-email-drill-');
chmodSync(baseDir, 0o755); // the postgres user must traverse it
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

describe('drkit drill email-failover', () => {
  it('GIVEN the primary refusing at T0 while the app sends WHEN the drill runs THEN delivery resumes via the secondary, nothing lost or doubled, measured', async () => {
    const res = await runEmailFailoverDrill({
      config: parseConfig({}),
      baseDir,
      warmupSeconds: 2,
      sustainSeconds: 3,
      messagesPerSecond: 4,
      warmupPerMinute: [240, 600],
      warmupStageSeconds: 10,
    });
    const r = res.report;
    expect(r.facts.runbook).toBe('rb-n-07 succeeded');
    expect(r.outcome).toBe('passed');
    expect(r.achieved.lostWrites).toBe(0);
    expect(r.facts.deliveredTwice).toBe(0);
    expect(r.facts.resent).toBeGreaterThan(0);
    expect(r.achieved.rtoSeconds).toBeGreaterThan(0);
    expect(r.achieved.rtoSeconds).toBeLessThan(30);
    expect(r.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['T0', 'detected', 'first delivery via the secondary']),
    );
    expect(readFileSync(res.files.markdown, 'utf8')).toContain('email-failover');
    expect(path.dirname(res.files.json)).toBe(path.join(baseDir, 'ops/dr/drill_reports'));
  });
});
