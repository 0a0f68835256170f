import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyMissingError } from '../engine/errors.js';

/** The compiled workload entry point (tests run from src/, so they use the built dist/). */
function workloadEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'workload-main.js'),
    path.resolve(here, '../../dist/lab/workload-main.js'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new DependencyMissingError('the workload generator is not built', {
      hint: 'run `npm run build`',
    });
  return found;
}

/** A workload generator running as a child process. */
export interface WorkloadProcess {
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM and wait for a clean exit (flushes the log). */
  stop(): Promise<void>;
}

/**
 * Starts the workload generator: direct-DB mode with `secretsDir`, HTTP mode (through the
 * front door) with `frontDoor`.
 */
export async function startWorkloadProcess(opts: {
  secretsDir?: string;
  frontDoor?: string;
  logFile: string;
  rate: number;
  maxUserId: number;
  /** Also change people through the front door (HTTP mode only). @default no people changes */
  people?: { rate: number; maxPersonId: number; logFile: string };
  /**
   * Also check out through the front door (HTTP mode only; the app needs its payments
   * section): `rate` per second, each answer logged to `logFile`. @default no checkouts
   */
  checkouts?: { rate: number; logFile: string };
}): Promise<WorkloadProcess> {
  const mode = opts.frontDoor
    ? ['--front-door', opts.frontDoor]
    : ['--secrets-dir', opts.secretsDir ?? ''];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      workloadEntry(),
      ...mode,
      '--log',
      opts.logFile,
      '--rate',
      String(opts.rate),
      '--max-user-id',
      String(opts.maxUserId),
      ...(opts.people
        ? [
            '--people-rate',
            String(opts.people.rate),
            '--max-person-id',
            String(opts.people.maxPersonId),
            '--people-log',
            opts.people.logFile,
          ]
        : []),
      ...(opts.checkouts
        ? ['--checkout-rate', String(opts.checkouts.rate), '--checkout-log', opts.checkouts.logFile]
        : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`workload generator exited early (code ${code})`)),
    );
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid!,
    logFile: opts.logFile,
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}
