import type { DrillReport } from './report-types.js';

const rel = (t0: number, at: string) => {
  const s = (Date.parse(at) - t0) / 1000;
  return `T0${s >= 0 ? '+' : '−'}${Math.abs(s).toFixed(2)} s`;
};

/**
 * The post-mortem draft written with every drill: summary, timeline (events and steps), what
 * deviated from the runbook, variances, and follow-ups with owner and due date left blank for
 * the review to fill in ({@link postMortemCompleted} says when it has).
 */
export function renderPostMortem(r: DrillReport, reportFile: string): string {
  const t0 = Date.parse(r.events.find((e) => e.name === 'T0')?.at ?? r.startedAt);
  const steps = r.spans.filter((s) => s.kind === 'step');
  const deviations = [
    ...steps.filter((s) => s.outcome !== 'succeeded').map((s) => `step \`${s.name}\` ${s.outcome}`),
    ...(r.met.rto ? [] : ['RTO target missed']),
    ...(r.met.rpo ? [] : ['RPO target missed']),
    ...((r.achieved.lostWrites ?? 0) > 0
      ? [`${r.achieved.lostWrites} acknowledged writes lost (RPO ${r.achieved.rpoSeconds} s)`]
      : []),
  ];
  return [
    `# Post-mortem (draft) — ${r.title}`,
    '',
    `- Drill: \`${r.drillId}\`; evidence: [${reportFile}](${reportFile})`,
    `- When: ${r.startedAt} → ${r.endedAt}; outcome: ${r.outcome.toUpperCase()}`,
    '- Status: DRAFT — complete it by giving every follow-up an owner and a due date.',
    '',
    '## Timeline',
    '',
    '| when | what |',
    '|---|---|',
    ...[
      ...r.events.map((e) => ({ at: e.at, what: `${e.name}${e.note ? ` — ${e.note}` : ''}` })),
      ...steps.map((s) => ({
        at: s.start,
        what: `step \`${s.name}\` ${s.outcome}${s.durationMs === undefined ? '' : ` in ${(s.durationMs / 1000).toFixed(2)} s`}`,
      })),
    ]
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((x) => `| ${x.at} (${rel(t0, x.at)}) | ${x.what} |`),
    '',
    '## Deviations from the runbook',
    '',
    ...(deviations.length
      ? deviations.map((d) => `- ${d}`)
      : ['- none: every step succeeded, targets met']),
    '',
    '## Variances',
    '',
    `- RTO: ${r.achieved.rtoSeconds ?? 'not reached'} s vs target ${r.targets.rtoTargetMinutes * 60} s (variance ${r.variance.rtoSeconds ?? 'n/a'} s)`,
    `- RPO: ${r.achieved.rpoSeconds ?? 'n/a'} s vs target ${r.targets.rpoTargetSeconds} s (variance ${r.variance.rpoSeconds ?? 'n/a'} s)`,
    '',
    '## Follow-ups',
    '',
    '| follow-up | owner | due |',
    '|---|---|---|',
    ...(r.followUps.length ? r.followUps.map((f) => `| ${f} |  |  |`) : ['| none |  |  |']),
    '',
  ].join('\n');
}

/** A post-mortem is completed when every follow-up row has an owner (filled in by the review). */
export function postMortemCompleted(markdown: string): boolean {
  const section = markdown.split('## Follow-ups')[1];
  if (!section) return false;
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| follow-up') && !l.startsWith('|---'));
  return rows.every((l) => (l.split('|')[2] ?? '').trim() !== '');
}
