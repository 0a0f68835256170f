import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The secrets canary (issue 15): a distinctive value planted in every secret a world holds,
 * then looked for in everything drkit printed and every file it wrote. Every planted value
 * starts with {@link CANARY}, so one search finds any of them, whole or cut.
 */

/** The common start of every planted value. */
export const CANARY = 'canary-7f3a9c0e-do-not-print';

/** The canary planted in one secret field; `tag` names the secret and field when it is found. */
export function canary(tag: string): string {
  return `${CANARY}-${tag}`;
}

/**
 * The fields the canary fills in one secret: its `password`, and a `dsn` (a connection URL
 * holding the password) — a key no redaction rule names, so only a drkit that never prints a
 * whole secret keeps it out.
 */
export function canaryFields(tag: string): { password: string; dsn: string } {
  return {
    password: canary(`${tag}-password`),
    dsn: `postgresql://app:${canary(`${tag}-dsn`)}@db.internal:5432/app`,
  };
}

/** Every file under `dir` (recursively), except the paths listed and what is under them. */
export function filesUnder(dir: string, except: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const f = path.join(dir, e);
    if (except.includes(f)) continue;
    const st = statSync(f);
    if (st.isDirectory()) out.push(...filesUnder(f, except));
    else if (st.isFile()) out.push(f);
  }
  return out;
}

/** What the CLI printed, by command: {@link keep} each run, then {@link canaryHits} on `texts`. */
export class Printed {
  readonly texts: Record<string, string> = {};
  /** Keeps `r`'s stdout and stderr under `label` and returns `r`. */
  keep<R extends { stdout: string; stderr: string }>(label: string, r: R): R {
    let l = label;
    for (let i = 2; `${l} stdout` in this.texts; i++) l = `${label} #${i}`;
    this.texts[`${l} stdout`] = r.stdout;
    this.texts[`${l} stderr`] = r.stderr;
    return r;
  }
}

/**
 * Each place the canary appears, as `source: …text around it…`: `printed` maps a label (a
 * command and its stream) to its text; `files` are read whole. Empty when it is nowhere.
 */
export function canaryHits(
  printed: Readonly<Record<string, string>>,
  files: readonly string[] = [],
): string[] {
  const hits: string[] = [];
  const scan = (label: string, text: string) => {
    for (let i = text.indexOf(CANARY); i >= 0; i = text.indexOf(CANARY, i + 1))
      hits.push(`${label}: …${text.slice(Math.max(0, i - 160), i + 80)}…`);
  };
  for (const [label, text] of Object.entries(printed)) scan(label, text);
  for (const f of files) scan(f, readFileSync(f, 'utf8'));
  return hits;
}
