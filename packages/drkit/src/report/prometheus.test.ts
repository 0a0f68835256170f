import { describe, expect, it } from 'vitest';
import { judge, type DrillReport } from './drill-report.js';
import type { StoredReport } from './evidence.js';
import { parseConfig } from '../config/load.js';
import { drillSamples, renderPrometheus, targetSamples } from './prometheus.js';

function stored(
  scenario: string,
  startedAt: string,
  a: Partial<DrillReport['achieved']>,
): StoredReport {
  const targets = { rtoTargetMinutes: 30, rpoTargetSeconds: 300 };
  const achieved = { rtoSeconds: 4, rpoSeconds: 0.5, lostWrites: 3, acknowledgedWrites: 9, ...a };
  return {
    report: {
      scenario,
      drillId: scenario,
      title: scenario,
      startedAt,
      endedAt: startedAt,
      outcome: 'passed',
      targets,
      achieved,
      ...judge(targets, achieved),
      events: [],
      spans: [],
      facts: {},
      followUps: [],
    },
    markdown: `${scenario}.md`,
    quarter: '2026-Q4',
  };
}

describe('Prometheus exposition of drill evidence', () => {
  it('exports the newest drill per scenario, with targets, and leaves an unmeasured figure absent (never 0)', async () => {
    const samples = drillSamples([
      stored('pitr', '2026-11-01T00:00:00.000Z', { rtoSeconds: 9 }),
      stored('pitr', '2026-11-30T00:00:00.000Z', { rtoSeconds: 3.5, rpoUpperBoundSeconds: 0.9 }),
      stored('s3-restore', '2026-11-30T00:00:00.000Z', { rtoSeconds: undefined }),
    ]);
    const { text, contentType } = await renderPrometheus(samples);
    expect(contentType).toMatch(/^text\/plain/);
    expect(text).toContain('# TYPE drkit_drill_rto_seconds gauge');
    expect(text).toContain('drkit_drill_rto_seconds{scenario="pitr"} 3.5');
    expect(text).not.toContain('drkit_drill_rto_seconds{scenario="s3-restore"}');
    expect(text).toContain('drkit_drill_rpo_upper_bound_seconds{scenario="pitr"} 0.9');
    expect(text).toContain('drkit_drill_rto_target_seconds{scenario="s3-restore"} 1800');
    expect(text).toContain('drkit_drill_lost_writes{scenario="s3-restore"} 3');
    expect(text).toContain(
      `drkit_drill_last_run_timestamp_seconds{scenario="pitr"} ${Date.parse('2026-11-30T00:00:00.000Z') / 1000}`,
    );
  });

  it('renders samples of one family with different label sets under one HELP/TYPE', async () => {
    const { text } = await renderPrometheus([
      { name: 'drkit_x', help: 'x', labels: { cluster: 'a' }, value: 1 },
      { name: 'drkit_x', help: 'x', labels: { cluster: 'b', standby: 's' }, value: 2 },
    ]);
    expect(text.match(/# HELP drkit_x/g)).toHaveLength(1);
    expect(text).toContain('drkit_x{cluster="a"} 1');
    expect(text).toContain('drkit_x{cluster="b",standby="s"} 2');
  });
});

describe('targetSamples', () => {
  it('GIVEN a config WHEN exported THEN the thresholds the alert rules compare with are gauges in seconds', async () => {
    const config = parseConfig({
      targets: { rpoTargetSeconds: 60, rtoTargetMinutes: 15 },
      posture: { maxBackupAgeHours: 2 },
    });
    const { text } = await renderPrometheus(targetSamples(config));
    expect(text).toContain('drkit_target_rpo_seconds 60\n');
    expect(text).toContain('drkit_target_rto_seconds 900\n');
    expect(text).toContain('drkit_posture_max_backup_age_seconds 7200\n');
  });
});
