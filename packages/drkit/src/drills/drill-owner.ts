import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider } from '../lab/provider.js';

/** The file in a drill's directory naming the drkit process that runs it. */
const OWNER_FILE = 'owner.json';
/** What an owner file becomes once its orphaned processes were reaped. */
const REAPED_FILE = 'owner.reaped.json';

interface DrillOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/**
 * Records this process as the owner of a drill's directory. The drill's servers (PostgreSQL,
 * HAProxy, app tasks) run detached and would outlive a killed drill: the next `drkit lab up` or
 * `lab down` finds a directory whose owner is dead and stops what it left running
 * ({@link reapOrphanedDrills}).
 */
export function claimDrillDir(drillDir: string): void {
  const owner: DrillOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(drillDir, OWNER_FILE), JSON.stringify(owner) + '\n', { mode: 0o600 });
}

/** Marks a drill as finished: nothing of it is left to reap. */
export function releaseDrillDir(drillDir: string): void {
  const f = path.join(drillDir, OWNER_FILE);
  if (existsSync(f)) renameSync(f, path.join(drillDir, REAPED_FILE));
}

/** Drill directories under `stateDir/drills` whose owner process is gone (this host only). */
export function orphanedDrills(config: DrkitConfig, baseDir: string): string[] {
  const root = path.resolve(baseDir, config.stateDir, 'drills');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    let owner: DrillOwner;
    try {
      owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as DrillOwner;
    } catch {
      continue; // no owner file: finished, reaped, or from an older drkit
    }
    if (owner.host !== hostname() || pidAlive(owner.pid)) continue;
    out.push(dir);
  }
  return out;
}

/**
 * Stops what killed drills left running — their clusters, app tasks, front door and WAN — and
 * marks them reaped. Data is kept for inspection.
 * @returns the drill directories reaped
 */
export async function reapOrphanedDrills(
  config: DrkitConfig,
  baseDir: string,
  progress: (m: string) => void = () => undefined,
): Promise<string[]> {
  const reaped: string[] = [];
  for (const dir of orphanedDrills(config, baseDir)) {
    progress(`reaping the processes of killed drill ${path.basename(dir)}`);
    await labDown(labProvider({ ...config, stateDir: dir }, baseDir), { progress });
    releaseDrillDir(dir);
    reaped.push(dir);
  }
  return reaped;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
