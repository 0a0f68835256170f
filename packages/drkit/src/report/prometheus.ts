import { Counter, Gauge, Registry } from 'prom-client';
import type { DrkitConfig } from '../config/schema.js';
import type { MetricSample } from '../ports/metrics.js';
import type { StoredReport } from './evidence.js';

/**
 * The last drill of each scenario as gauges (from the evidence directory): achieved RTO and RPO
 * (and the RPO's upper bound where measured) beside the drill's targets, acknowledged writes
 * lost, whether it passed, and when it ran. A figure the drill did not measure is absent, never 0.
 */
export function drillSamples(reports: ReadonlyArray<StoredReport>): MetricSample[] {
  const newest = new Map<string, StoredReport>();
  for (const s of reports) newest.set(s.report.scenario, s); // reports come oldest first
  const out: MetricSample[] = [];
  for (const [scenario, { report: r }] of newest) {
    const labels = { scenario };
    const put = (name: string, help: string, value: number | undefined) => {
      if (value !== undefined) out.push({ name, help, labels, value });
    };
    put(
      'drkit_drill_rto_seconds',
      'RTO achieved by the last drill of the scenario',
      r.achieved.rtoSeconds,
    );
    put(
      'drkit_drill_rpo_seconds',
      'RPO achieved by the last drill of the scenario',
      r.achieved.rpoSeconds,
    );
    put(
      'drkit_drill_rpo_upper_bound_seconds',
      'upper bound of the RPO the last drill could have given up (its sampling resolution included)',
      r.achieved.rpoUpperBoundSeconds,
    );
    put(
      'drkit_drill_rto_target_seconds',
      'RTO target the last drill was judged against',
      r.targets.rtoTargetMinutes * 60,
    );
    put(
      'drkit_drill_rpo_target_seconds',
      'RPO target the last drill was judged against',
      r.targets.rpoTargetSeconds,
    );
    put(
      'drkit_drill_lost_writes',
      'acknowledged writes the last drill lost',
      r.achieved.lostWrites,
    );
    put(
      'drkit_drill_passed',
      '1 when the last drill of the scenario passed',
      r.outcome === 'passed' ? 1 : 0,
    );
    put(
      'drkit_drill_last_run_timestamp_seconds',
      'start of the last drill of the scenario (Unix time)',
      Date.parse(r.startedAt) / 1000,
    );
  }
  return out;
}

/**
 * The configured thresholds as gauges, so the shipped alert rules (`ops/prometheus/rules.yml`)
 * compare a live figure with the config's target instead of a number written into the rules.
 */
export function targetSamples(config: DrkitConfig): MetricSample[] {
  return [
    {
      name: 'drkit_target_rpo_seconds',
      help: 'the configured recovery point objective (targets.rpoTargetSeconds)',
      labels: {},
      value: config.targets.rpoTargetSeconds,
    },
    {
      name: 'drkit_target_rto_seconds',
      help: 'the configured recovery time objective (targets.rtoTargetMinutes)',
      labels: {},
      value: config.targets.rtoTargetMinutes * 60,
    },
    {
      name: 'drkit_posture_max_backup_age_seconds',
      help: 'the newest backup may be this old (posture.maxBackupAgeHours)',
      labels: {},
      value: config.posture.maxBackupAgeHours * 3600,
    },
    {
      name: 'drkit_posture_mass_delete_rows',
      help: 'more rows than this deleted from one core table within a minute is a mass delete (posture.massDeleteRows)',
      labels: {},
      value: config.posture.massDeleteRows,
    },
  ];
}

/** The samples in Prometheus' text exposition format, through prom-client (one fresh registry per call). */
export async function renderPrometheus(
  samples: ReadonlyArray<MetricSample>,
): Promise<{ text: string; contentType: string }> {
  const registry = new Registry();
  const byName = new Map<string, MetricSample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    const labelNames = [...new Set(group.flatMap((s) => Object.keys(s.labels)))].sort();
    const opts = { name, help: group[0]!.help, labelNames, registers: [registry] };
    if (group[0]!.type === 'counter') {
      // A fresh registry per call: inc by the value read exports that value.
      const c = new Counter(opts);
      for (const s of group) c.inc({ ...s.labels }, s.value);
    } else {
      const g = new Gauge(opts);
      for (const s of group) g.set({ ...s.labels }, s.value);
    }
  }
  return { text: await registry.metrics(), contentType: registry.contentType };
}
