import type { DrillReport } from './report-types.js';

const fmt = (n: number | undefined, unit: string) =>
  n === undefined ? 'not reached' : `${n.toFixed(2)} ${unit}`;
const signed = (n: number | undefined, unit: string) =>
  n === undefined ? 'n/a' : `${n > 0 ? '+' : ''}${n.toFixed(2)} ${unit}`;

/**
 * RPO beside the loss: a figure that rounds to 0.00 while writes were lost gets more digits.
 * Its upper bound and resolution follow when measured.
 */
function fmtRpo(r: DrillReport): string {
  const v = r.achieved.rpoSeconds;
  const figure = v !== undefined && v > 0 && v < 0.005 ? `${v.toFixed(3)} s` : fmt(v, 's');
  const { rpoUpperBoundSeconds: up, rpoResolutionSeconds: res } = r.achieved;
  if (up === undefined || res === undefined) return figure;
  return `${figure} (≤ ${up.toFixed(2)} s: the workload left each task unasked for up to ${res.toFixed(2)} s)`;
}

/** The evidence report as markdown: summary, target vs achieved, timeline, facts, follow-ups. */
export function renderMarkdown(r: DrillReport, svgFile: string): string {
  const t0 = r.events.find((e) => e.name === 'T0')?.at ?? r.startedAt;
  const rel = (at: string) =>
    `T0${Date.parse(at) - Date.parse(t0) >= 0 ? '+' : ''}${((Date.parse(at) - Date.parse(t0)) / 1000).toFixed(2)} s`;
  const lines = [
    `# Drill report — ${r.title}`,
    '',
    `- Drill: \`${r.drillId}\`${r.executionId ? ` (runbook execution \`${r.executionId}\`)` : ''}`,
    `- Scenario: ${r.scenario}`,
    `- Started: ${r.startedAt}; ended: ${r.endedAt}`,
    `- Outcome: **${r.outcome.toUpperCase()}**`,
    '',
    '## Target vs achieved',
    '',
    '| measure | target | achieved | variance | met |',
    '|---|---|---|---|---|',
    `| RTO | ${r.targets.rtoTargetMinutes * 60} s (${r.targets.rtoTargetMinutes} min) | ${fmt(r.achieved.rtoSeconds, 's')} | ${signed(r.variance.rtoSeconds, 's')} | ${r.met.rto ? 'yes' : 'NO'} |`,
    `| RPO | ${r.targets.rpoTargetSeconds} s | ${fmtRpo(r)} | ${signed(r.variance.rpoSeconds, 's')} | ${r.met.rpo ? 'yes' : 'NO'} |`,
    `| acknowledged writes lost | — | ${r.achieved.lostWrites ?? 'n/a'} of ${r.achieved.acknowledgedWrites ?? 'n/a'} | | |`,
    '',
    r.definitions
      ? `RTO = ${r.definitions.rto}. RPO = ${r.definitions.rpo}.`
      : 'RTO = first sustained successful write after T0 (seen by the workload client) − T0. RPO = the span of acknowledged writes given up: the recovery point → the ack time of the newest acknowledged write missing after recovery (0 only when none is lost).',
    ...(r.definitions?.rpoResolution || r.definitions?.rpoUpperBound
      ? [
          '',
          ...(r.definitions.rpoResolution
            ? [`RPO resolution = ${r.definitions.rpoResolution}.`]
            : []),
          ...(r.definitions.rpoUpperBound
            ? [`RPO upper bound = ${r.definitions.rpoUpperBound}.`]
            : []),
        ]
      : []),
    '',
    '## Timeline',
    '',
    `![timeline](${svgFile})`,
    '',
    '| when | event |',
    '|---|---|',
    ...r.events.map((e) => `| ${e.at} (${rel(e.at)}) | ${e.name}${e.note ? ` — ${e.note}` : ''} |`),
    '',
    '| step | start | duration | outcome |',
    '|---|---|---|---|',
    ...r.spans.map(
      (s) =>
        `| ${s.kind === 'phase' ? `_${s.name}_` : `\`${s.name}\``} | ${rel(s.start)} | ${s.durationMs === undefined ? '—' : `${(s.durationMs / 1000).toFixed(2)} s`} | ${s.outcome} |`,
    ),
    '',
    ...incidentSection(r),
    ...(r.sources
      ? ['## Sources', '', ...Object.entries(r.sources).map(([k, v]) => `- ${k}: ${v}`), '']
      : []),
    '## Facts',
    '',
    ...Object.entries(r.facts).map(([k, v]) => `- ${k}: ${v === null ? '—' : String(v)}`),
    '',
    '## Follow-ups',
    '',
    ...(r.followUps.length ? r.followUps.map((f) => `- [ ] ${f}`) : ['- none']),
    '',
  ];
  return lines.join('\n');
}

/** The declared incident: who was told when, acknowledgement, escalations, the status page. */
function incidentSection(r: DrillReport): string[] {
  const i = r.incident;
  if (!i) return [];
  const sp = i.statusPage;
  return [
    '## Incident and communication',
    '',
    `- Incident \`${i.id}\`: declared ${i.severity}, reached ${i.level}, status ${i.status}`,
    `- Acknowledged: ${i.acknowledgedBy ? `by ${i.acknowledgedBy} after ${i.secondsToAcknowledge?.toFixed(2)} s` : 'not during the drill'}; escalations: ${i.escalations}`,
    ...(sp
      ? [
          `- Status page (${sp.kind}${sp.incidentId ? `, incident ${sp.incidentId}` : ''}): ${sp.description ?? 'not read'}${sp.indicator ? ` (indicator ${sp.indicator})` : ''}${sp.components?.length ? `; ${sp.components.map((c) => `${c.name} ${c.status}`).join(', ')}` : ''}`,
        ]
      : ['- Status page: none']),
    '',
    '| when | event | who (channel) | level | note |',
    '|---|---|---|---|---|',
    ...i.timeline.map(
      (e) =>
        `| ${e.at} | ${e.type} | ${e.who ? `${e.who}${e.channel ? ` (${e.channel})` : ''}` : ''} | ${e.level ?? ''} | ${e.note.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    ),
    '',
  ];
}
