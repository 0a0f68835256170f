import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderMarkdown } from './markdown.js';
import { renderPostMortem } from './postmortem.js';
import { writeQuarterly } from './quarterly.js';
import { quarterOf, type DrillReport } from './report-types.js';
import { renderTimelineSvg } from './timeline-svg.js';

export type { DrillBand, DrillEvent, DrillReport, DrillSpan } from './report-types.js';
export { quarterOf } from './report-types.js';

/** Fills variance and met from targets and achieved figures. */
export function judge(
  targets: DrillReport['targets'],
  achieved: DrillReport['achieved'],
): Pick<DrillReport, 'variance' | 'met'> {
  const rtoT = targets.rtoTargetMinutes * 60;
  const rtoV = achieved.rtoSeconds === undefined ? undefined : round(achieved.rtoSeconds - rtoT);
  const rpoV =
    achieved.rpoSeconds === undefined
      ? undefined
      : round(achieved.rpoSeconds - targets.rpoTargetSeconds);
  return {
    variance: { rtoSeconds: rtoV, rpoSeconds: rpoV },
    met: { rto: rtoV !== undefined && rtoV <= 0, rpo: rpoV !== undefined && rpoV <= 0 },
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Writes `<dir>/<YYYY-QX>-<scenario>-<stamp>.{md,json,svg}` and its post-mortem draft
 * (`….postmortem.md`), then regenerates the quarter's evidence file `<dir>/<YYYY-QX>.md` from
 * every report in `dir`. Returns the paths.
 */
export function writeDrillReport(
  dir: string,
  report: DrillReport,
): { markdown: string; json: string; svg: string; postMortem: string; quarterly: string } {
  mkdirSync(dir, { recursive: true });
  const started = new Date(report.startedAt);
  const stamp = report.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(dir, `${quarterOf(started)}-${report.scenario}-${stamp}`);
  const files = { markdown: `${base}.md`, json: `${base}.json`, svg: `${base}.svg` };
  writeFileSync(files.json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(files.svg, renderTimelineSvg(report));
  writeFileSync(files.markdown, renderMarkdown(report, path.basename(files.svg)));
  const postMortem = `${base}.postmortem.md`;
  writeFileSync(postMortem, renderPostMortem(report, path.basename(files.markdown)));
  return { ...files, postMortem, quarterly: writeQuarterly(dir, quarterOf(started)) };
}
