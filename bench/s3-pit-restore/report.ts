/** The RESULTS.md text of the s3-pit-restore benchmark (./run.ts). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Layout } from './scenario.js';

/** One restore, one side. */
export interface RunResult {
  readonly side: 'drkit' | 'peer';
  readonly run: number;
  /** This side went first in its run. */
  readonly first: boolean;
  readonly ms: number;
  readonly keysPerS: number;
  /** Write requests (CopyObject / DeleteObject). */
  readonly written: number;
  /** Keys not at their state at T afterwards. */
  readonly wrong: number;
  readonly wrongKeys: string[];
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly error?: string;
  /** drkit: ms per RB-N-03 step. */
  readonly steps?: Record<string, number>;
  readonly listingPasses?: number;
  readonly pages?: number;
}

const SECTION = '## S3 point-in-time restore vs s3-pit-restore';

const INTRO = `${SECTION}

drkit issue 17: RB-N-03 restoring a prefix in place to a point in time T, against the tool users pick instead,
[\`s3-pit-restore\`](https://pypi.org/project/s3-pit-restore/) 0.9 (PyPI, in \`.tools/s3pit-venv\`), side by side in one
process, on one moto server. The scenario (\`bench/s3-pit-restore/scenario.ts\`): a versioned bucket whose prefix holds
N keys before T, 3 of them deleted before T and laid out so that each one's delete marker is the last entry of a
ListObjectVersions page (1000 entries) and the version it hides the first entry of the next page (checked on the
seeded bucket); after T, 40 % of the live keys are overwritten, 20 % deleted, 5 % more created. Before every run moto
is reset and the same layout seeded into a fresh bucket; the runs alternate which side goes first. drkit runs RB-N-03
through \`runRunbook\` with the aws provider bound from a config whose \`aws.endpoint\` is moto (what \`drkit runbook
run rb-n-03 --provider aws --yes\` does: journal, plan file beside it, the verify step's final listing, notify to the
state dir's log). The peer runs \`s3-pit-restore -b B -B B -p media/ -t T --max-workers 16\` with \`AWS_ENDPOINT_URL\`
set to moto. After each run every key is checked against T: ListObjectsV2 of the prefix, each key's ETag (the MD5 of
its content) equal to the MD5 of its content at T, and no key that was absent at T. keys/s = N ÷ wall time.
Objects written = write requests (drkit: its plan's CopyObject/DeleteObject calls; the peer: the objects it prints).
moto serves every request in one Python process and copies the bucket's whole version list on each
ListObjectVersions page, so listing costs far more here than on S3, where a page is one ordinary request.
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f1 = (x: number) => x.toFixed(1);

/** The subsection of one key count. */
export function scaleSection(o: {
  keys: number;
  runs: number;
  concurrency: number;
  layout: Layout;
  results: RunResult[];
  command: string;
  machine: string;
}): string {
  const { results: rs, layout: l } = o;
  const by = (side: RunResult['side']) => rs.filter((r) => r.side === side);
  const rows = rs.map(
    (r) =>
      `| ${r.run} | ${r.side}${r.first ? ' (first)' : ''} | ${f1(r.ms / 1000)} | ${f1(r.keysPerS)} | ${r.written} | ${r.wrong}${r.wrongKeys.length ? ` (${r.wrongKeys.join(', ')})` : ''} | ${r.listingPasses ?? '–'}${r.pages !== undefined ? ` (${r.pages} pages)` : ''} | ${r.steps ? `plan ${f1((r.steps['plan-restore'] ?? 0) / 1000)} · restore ${f1((r.steps['restore-objects'] ?? 0) / 1000)} · verify ${f1((r.steps['verify-restore'] ?? 0) / 1000)}` : '–'} | ${r.loadBefore} → ${r.loadAfter} |${r.error ? ` ERROR: ${r.error.slice(0, 160)}` : ''}`,
  );
  const med = (side: RunResult['side']) => {
    const x = by(side);
    return {
      ms: median(x.map((r) => r.ms)),
      kps: median(x.map((r) => r.keysPerS)),
      written: median(x.map((r) => r.written)),
      wrong: x.map((r) => r.wrong).join(', '),
    };
  };
  const d = med('drkit');
  const p = med('peer');
  const ratio = d.kps / p.kps;
  const steps = (id: string) => median(by('drkit').map((r) => r.steps?.[id] ?? 0)) / 1000;
  const plan = steps('plan-restore');
  const restore = steps('restore-objects');
  const verify = steps('verify-restore');
  return `### ${o.keys.toLocaleString('en')} keys

Command: \`${o.command}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${o.machine}. The machine is
shared with other engineers' builds and tests: the 1-minute load average before and after each side is in the table.

Layout: ${o.keys.toLocaleString('en')} keys before T (${l.counts.U + l.counts.O + l.counts.D} live at T, ${l.counts.E} deleted before T on page boundaries); after T ${l.counts.O} overwritten, ${l.counts.D} deleted, ${l.counts.C} created; ${l.entries.toLocaleString('en')} listing entries. Concurrency ${o.concurrency} on both sides, ${o.runs} run(s) per side.

| run | side | time s | keys/s | objects written | wrong keys after | listing passes | drkit steps s | load 1 min before → after |
| --- | --- | ---: | ---: | ---: | --- | --- | --- | --- |
${rows.join('\n')}

| side (median of ${o.runs}) | time s | keys/s | objects written | wrong keys (each run) |
| --- | ---: | ---: | ---: | --- |
| drkit RB-N-03 | ${f1(d.ms / 1000)} | ${f1(d.kps)} | ${d.written} | ${d.wrong} |
| s3-pit-restore 0.9 | ${f1(p.ms / 1000)} | ${f1(p.kps)} | ${p.written} | ${p.wrong} |

**drkit keys/s ÷ s3-pit-restore keys/s = ${ratio.toFixed(2)}× (target ≥ 1.5×: ${ratio >= 1.5 ? 'met' : '**NOT met**'}).**
drkit's median time splits into plan-restore (listing pass 1, planning while listing, plan file) ${f1(plan)} s,
restore-objects (the writes) ${f1(restore)} s, verify-restore (final listing pass) ${f1(verify)} s; listing is
${Math.round(((plan + verify) / (d.ms / 1000)) * 100)} % of drkit's time, the writes ${Math.round((restore / (d.ms / 1000)) * 100)} %.
`;
}

/** The plan-memory subsection. */
export function memorySection(rows: Array<Record<string, number>>, command: string): string {
  const lines = rows.map(
    (r) =>
      `| ${r.versions!.toLocaleString('en')} | ${r.keys!.toLocaleString('en')} | ${r.pages} | ${r.planned!.toLocaleString('en')} | ${r.ms} | ${r.baseRssMiB} | ${r.peakRssMiB} | ${r.peakHeapMiB} | ${r.retainedHeapMiB} |`,
  );
  return `### Plan memory

Command: \`${command}\` (each size in its own process: \`npx tsx bench/s3-pit-restore/plan-memory.ts --versions V\`,
and again under \`node --expose-gc … --retained\` for the live heap) — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

**Not on moto:** seeding 300,000 versions into moto would take most of an hour and each of its 300 pages would copy the
whole bucket, so RB-N-03's plan builder (\`S3ObjectStore.streamRestoreToTime\`: KeyGrouper + planKey, its actions
written to the plan file by \`PlanWriter\` as plan-restore does) is fed synthetic ListObjectVersions pages in process
(1000 entries a page, Versions and DeleteMarkers apart as the SDK returns them, the scenario's mix, generated lazily).
Peak RSS is sampled every 5 ms and per page; "live heap" is the largest heap after a forced full GC every 50 pages.

| versions | keys | pages | plan entries | ms | RSS before MiB | peak RSS MiB | peak heap MiB | live heap after GC MiB |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}
`;
}

/**
 * Replaces (or adds) one `### …` subsection of the benchmark's section in RESULTS.md, adding
 * the section (with its introduction) when missing; other sections are left alone.
 */
export function writeSubsection(file: string, heading: string, text: string): void {
  const all = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  let start = all.indexOf(SECTION);
  let doc = all;
  if (start < 0) {
    doc = `${all.trimEnd()}\n\n${INTRO}`;
    start = doc.indexOf(SECTION);
  }
  const nextSection = doc.indexOf('\n## ', start + 1);
  const end = nextSection < 0 ? doc.length : nextSection + 1;
  let section = doc.slice(start, end);
  const at = section.indexOf(`${heading}\n`);
  if (at < 0) section = `${section.trimEnd()}\n\n${text.trimEnd()}\n`;
  else {
    const next = section.indexOf('\n### ', at + 1);
    section =
      section.slice(0, at) + text.trimEnd() + (next < 0 ? '\n' : `\n${section.slice(next)}`);
  }
  doc = doc.slice(0, start) + section + (nextSection < 0 ? '' : `\n${doc.slice(end)}`);
  writeFileSync(file, doc.replace(/\n{3,}/g, '\n\n'));
}
