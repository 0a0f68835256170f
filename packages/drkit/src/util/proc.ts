import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The outcome of a finished command (a non-zero exit is not thrown: callers translate it). */
export interface ProcResult {
  /** Exit code; `null` when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  /**
   * Run as this OS user. Applied only when the effective uid is 0 (through
   * `runuser -u <user> --`); an unprivileged process runs the command as itself.
   * @default undefined (run as the current user)
   */
  readonly asUser?: string;
  /** Extra environment variables (merged over `process.env`). */
  readonly env?: Record<string, string>;
  /** Working directory. @default '/' (so a user without access to the caller's cwd still works) */
  readonly cwd?: string;
  /** Kill the command (SIGKILL) after this many milliseconds. @default no limit */
  readonly timeoutMs?: number;
  /** Called with every command line before it runs (for logs and dry-run plans). */
  readonly log?: (line: string) => void;
}

/** True when this process runs with effective uid 0. */
export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** The argv that runs `argv` as `user` when we are root, or `argv` unchanged otherwise. */
export function asUserArgv(argv: readonly string[], user: string | undefined): string[] {
  if (user !== undefined && isRoot()) return ['runuser', '-u', user, '--', ...argv];
  return [...argv];
}

/** Quotes one argument for display as a POSIX shell word. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line for logs and dry-run plans. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Runs a command to completion, capturing its output. Rejects only when it cannot be spawned. */
export async function runCommand(
  argv: readonly string[],
  opts: RunOptions = {},
): Promise<ProcResult> {
  const full = asUserArgv(argv, opts.asUser);
  const [cmd, ...args] = full;
  if (cmd === undefined) throw new Error('runCommand: empty argv');
  opts.log?.(formatCommand(full));
  const started = Date.now();
  return await new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? '/',
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** True when `bin` (an absolute path, or a name looked up on PATH) is an executable file. */
export function isExecutable(bin: string): boolean {
  const candidates = bin.includes('/')
    ? [bin]
    : (process.env.PATH ?? '')
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, bin));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Numeric ids of an OS user, read from `/etc/passwd`; `undefined` when there is no such user. */
export function lookupUser(
  name: string,
  passwd?: string,
): { uid: number; gid: number } | undefined {
  const text = passwd ?? readPasswd();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined)
      return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/** The pid written in `file` when that process is alive (not gone, not a zombie), else undefined. */
export function livePidFromFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? undefined : pid;
  } catch {
    return undefined;
  }
}
