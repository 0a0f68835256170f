/**
 * What a database benchmark needs around its measurements: a temp lab dir with its own
 * clusters, removed at the end (also on Ctrl-C), a description of the machine, and the median.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgClusterManager } from '../../packages/drkit/src/adapters/postgres/index.js';

/** Runs `fn` with a fresh lab (clusters under a temp dir); stops every cluster and deletes the dir after. */
export async function withLab(
  prefix: string,
  fn: (labDir: string, mgr: PgClusterManager) => Promise<void>,
): Promise<void> {
  const labDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(labDir, 0o755); // the postgres user must traverse it
  const mgr = new PgClusterManager({ labDir });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const c of mgr.list()) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
    // Children of an immediately stopped server may still be exiting: retry ENOTEMPTY.
    rmSync(labDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    void cleanup().finally(() => process.kill(process.pid, sig));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await fn(labDir, mgr);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** CPU, memory, OS and PostgreSQL/pgBackRest versions of this machine. */
export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  const osRelease =
    readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? os.release();
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osRelease,
    kernel: os.release(),
    node: process.version,
    postgres: version('/usr/lib/postgresql/15/bin/postgres', ['--version']),
    pgbackrest: version('pgbackrest', ['version']),
  };
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** bench/RESULTS.md of this repository. */
export const RESULTS_FILE = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  'RESULTS.md',
);

/**
 * Replaces the `## <title>` section of a results file (or appends it), re-reading the file just
 * before writing so other benchmarks' sections are kept.
 */
export function writeSection(file: string, title: string, body: string): void {
  let text = '# Benchmark results\n';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const section = `## ${title}\n\n${body.trim()}\n`;
  const parts = text.split(/^(?=## )/m);
  const i = parts.findIndex((p) => p.startsWith(`## ${title}\n`));
  if (i >= 0) parts[i] = `${section}\n`;
  else parts.push(`${parts[parts.length - 1]!.endsWith('\n\n') ? '' : '\n'}${section}`);
  writeFileSync(file, parts.join('').replace(/\n+$/, '\n'));
}

/** `1234567` → `1,234,567`. */
export const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** One line naming the date, the machine and the load, for a results section. */
export function machineLine(m: Record<string, string | number>, load: readonly number[]): string {
  return (
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${m.cpus} cores (${m.cpuModel}), ${m.memGiB} GiB RAM, ${m.os}, ` +
    `Linux ${m.kernel}, Node ${m.node}, ${m.postgres}, ${m.pgbackrest}; 1-minute load average ${load[0]} before, ${load[1]} after ` +
    '(absolute times depend on what else runs; the ratio against the baseline run in the same process is the figure)'
  );
}

/** The `parseArgs` options of a sample-schema database's size (users, orders, note size). */
export const SEED_OPTIONS = {
  runs: { type: 'string', default: '3' },
  users: { type: 'string', default: '20000' },
  'orders-per-user': { type: 'string', default: '100' },
  'note-bytes': { type: 'string', default: '256' },
  results: { type: 'string', default: RESULTS_FILE },
} as const;

/** `seedData`'s size from those options: 1 payment per order, 10 messages per user (~1 GiB at the defaults). */
export function seedSize(a: { users: string; 'orders-per-user': string; 'note-bytes': string }) {
  return {
    users: Number(a.users),
    ordersPerUser: Number(a['orders-per-user']),
    paymentsPerOrder: 1,
    messagesPerUser: 10,
    orderNoteBytes: Number(a['note-bytes']),
  };
}
