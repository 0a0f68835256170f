import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseConfig } from '../config/load.js';
import type { DrkitConfig } from '../config/schema.js';
import { labDown } from '../lab/lab-down.js';
import { labProvider, type LabProvider } from '../lab/provider.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built CLI (integration tests run after `npm run build`). */
export const CLI = path.resolve(here, '../../dist/cli/main.js');

/** A throw-away lab directory with its own config file, for integration tests. */
export interface LabFixture {
  readonly dir: string;
  readonly configFile: string;
  readonly config: DrkitConfig;
  readonly provider: LabProvider;
  cleanup(): Promise<void>;
}

export function makeLabFixture(raw: Record<string, unknown> = {}): LabFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'drkit-it-'));
  chmodSync(dir, 0o755); // the postgres OS user must traverse it when tests run as root
  const rawConfig = {
    stateDir: path.join(dir, 'state'),
    reportsDir: path.join(dir, 'reports'),
    ...raw,
  };
  const configFile = path.join(dir, 'drkit.config.yaml');
  writeFileSync(configFile, stringify(rawConfig));
  const config = parseConfig(rawConfig);
  const provider = labProvider(config, dir);
  return {
    dir,
    configFile,
    config,
    provider,
    async cleanup() {
      await labDown(provider, { destroy: true }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the CLI to completion. Asynchronous on purpose: a synchronous child would block the
 * test worker's event loop, and vitest's worker RPC times out under load.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/** Starts the CLI and returns the child, for tests that kill it mid-run. */
export function spawnCli(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
