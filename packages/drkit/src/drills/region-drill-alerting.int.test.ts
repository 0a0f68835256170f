import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider } from '../lab/provider.js';
import { portInUse } from '../util/net.js';
import { readLabAlerting } from '../lab/alerting.js';
import { runRegionDrill } from './region-drill.js';

/**
 * The region-failover drill with real alerting (Prometheus 2.42, Alertmanager 0.25, drkit's
 * receiver) on a two-region lab of its own: region A SIGKILLed at T0, PrimaryDown fires, reaches
 * drkit's receiver and the notifier, and only then RB-N-01 starts; the report carries the
 * alert's fired and received times. Needs the build (app tasks, workload, receiver run from dist/).
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('region-failover drill detected by real alerting', () => {
  let dir: string;
  beforeAll(() => {
    // A short prefix: HAProxy's stats socket path (plus the `.<pid>.tmp` it binds first) must
    // fit in sun_path (108 bytes) below the drill's own directory.
    dir = mkdtempSync('/tmp/drkit-ra-');
    chmodSync(dir, 0o755);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN --alerting WHEN region A is lost THEN PrimaryDown fires, is received and notified, RB-N-01 starts after it, and the report shows the times', async () => {
    const config = ConfigSchema.parse({
      stateDir: dir,
      reportsDir: `${dir}/reports`,
      lab: {
        seed: { users: 100 },
        alerting: { rulesFile: path.join(REPO, 'ops/prometheus/rules.yml') },
      },
    });
    const r = await runRegionDrill({
      config,
      baseDir: dir,
      scenario: 'region-failover',
      synchronous: true,
      alerting: true,
      warmupSeconds: 2,
      sustainSeconds: 4,
      keep: true, // to read the drill lab's notifier before it is removed below
    });
    const p = labProvider({ ...config, stateDir: r.drillDir }, dir);
    const alerting = readLabAlerting(p)!;
    try {
      const f = r.report.facts;
      console.log(
        `alerting failover: alert fired ${f.alertFiredSeconds} s after T0, detection (received) ${f.detectionSeconds} s, RTO ${r.report.achieved.rtoSeconds} s`,
      );
      expect(f.detectedBy).toMatch(/^alerting: PrimaryDown/);
      // The rule's `for: 2s` after the first scrape that saw the primary gone.
      expect(Number(f.alertFiredSeconds)).toBeGreaterThanOrEqual(2);
      expect(Number(f.detectionSeconds)).toBeGreaterThanOrEqual(Number(f.alertFiredSeconds));
      expect(Number(f.detectionSeconds)).toBeLessThan(30);
      const at = (name: string) => {
        const e = r.report.events.find((x) => x.name === name);
        expect(e, name).toBeDefined();
        return Date.parse(e!.at);
      };
      expect(at('T0')).toBeLessThan(at('alert fired'));
      expect(at('alert fired')).toBeLessThanOrEqual(at('detected'));
      expect(at('detected')).toBeLessThan(at('promoted'));
      expect(new Date(at('alert fired')).toISOString()).toBe(f.alertFiredAt);
      expect(readFileSync(r.files.markdown, 'utf8')).toContain('alert fired');
      expect(readFileSync(p.paths.notificationsFile, 'utf8')).toContain(
        '[FIRING] PrimaryDown: primary database region-a is down',
      );
      expect(r.report.achieved.lostWrites).toBe(0);
      expect(r.report.outcome).toBe('passed');
    } finally {
      await labDown(p, { destroy: true });
    }
    for (const port of [alerting.prometheusPort, alerting.alertmanagerPort, alerting.receiverPort])
      expect(await portInUse(port)).toBe(false);
  });
});
