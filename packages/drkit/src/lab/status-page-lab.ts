import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DrkitConfig } from '../config/schema.js';
import { DependencyMissingError } from '../engine/errors.js';
import { incidentPaths } from '../incidents/paths.js';
import { DetachedProcess } from './detached-process.js';
import type { LabProvider } from './provider.js';

/** What the status page process reads at start (`<labDir>/status-page.json`). */
export interface StatusPageSettings {
  readonly port: number;
  /** The page file's directory (the one the runbooks write through the status page port). */
  readonly dir: string;
  readonly name: string;
  readonly components: readonly string[];
  /** The front door's URL, named in the summary. */
  readonly publicUrl?: string;
}

/** The lab's status page process (pid and log under `<labDir>`). */
export function statusPageProcess(p: LabProvider): DetachedProcess {
  return new DetachedProcess(p.paths.labDir, 'status-page');
}

/**
 * Starts the lab's status page on `port` unless it runs (a DetachedProcess: it outlives `lab
 * up` and answers whatever happens to the app). Only for `incidents.statusPage.type: lab`.
 * @returns false when the config has another status page (nothing started)
 */
export async function startLabStatusPage(
  p: LabProvider,
  config: DrkitConfig,
  port: number,
  publicUrl: string,
): Promise<boolean> {
  const sp = config.incidents.statusPage;
  if (sp.type !== 'lab') return false;
  const settings: StatusPageSettings = {
    port,
    dir: incidentPaths(p.paths.stateDir).statusPage,
    name: sp.name,
    components: sp.components,
    publicUrl,
  };
  mkdirSync(p.paths.labDir, { recursive: true });
  const file = path.join(p.paths.labDir, 'status-page.json');
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  await statusPageProcess(p).start([process.execPath, entry(), '--settings', file], async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(500) });
    return r.ok;
  });
  return true;
}

function entry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const found = [
    path.join(here, 'status-page-main.js'),
    path.resolve(here, '../../dist/lab/status-page-main.js'),
  ].find((c) => existsSync(c));
  if (!found)
    throw new DependencyMissingError('the lab status page is not built', {
      hint: 'run `npm run build`',
    });
  return found;
}
