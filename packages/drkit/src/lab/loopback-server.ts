import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from '../util/net.js';

/** Options of {@link startLoopbackServer}. */
export interface LoopbackServerOptions {
  /** The process's name in errors: `<name> exited early: <stderr tail>`. */
  readonly name: string;
  /** The binary to run (its existence is the caller's check: each has its own hint). */
  readonly command: string;
  /** Its arguments, given the port it must listen on (bound to 127.0.0.1 by these arguments). */
  readonly args: (port: number) => readonly string[];
  /** The port to listen on. @default a free loopback port */
  readonly port?: number;
  /** Variables added to this process's environment. @default none (inherits it as is) */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Whether the server is ready, given `http://127.0.0.1:<port>`. A throw (e.g. connection
   * refused) counts as not yet.
   */
  readonly ready: (baseUrl: string) => Promise<boolean>;
  /** How long to wait for `ready`. @default 30 s */
  readonly timeoutMs?: number;
  /** What the timeout error says it waited for. @default `<name> to listen` */
  readonly what?: string;
  /** How long `stop` waits after its signal before SIGKILL. @default 3 s */
  readonly killAfterMs?: number;
}

/** A process started by {@link startLoopbackServer}, ready. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Whether the process has exited. */
  exited(): boolean;
  /**
   * Sends `signal` (SIGTERM by default), then SIGKILL after `killAfterMs`, and waits for the
   * exit; does nothing if the process has already exited.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns a server bound to loopback, keeps the last 4000 characters of its stderr (quoted when
 * it exits before it is ready), and waits until `ready` answers true; on a timeout or an early
 * exit it SIGKILLs the process and throws.
 */
export async function startLoopbackServer(opts: LoopbackServerOptions): Promise<LoopbackServer> {
  const port = opts.port ?? (await freePort());
  const child = spawn(opts.command, opts.args(port), {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`${opts.name} exited early: ${stderr}`);
        try {
          return await opts.ready(url);
        } catch {
          return false;
        }
      },
      {
        timeoutMs: opts.timeoutMs ?? 30_000,
        intervalMs: 100,
        what: opts.what ?? `${opts.name} to listen`,
      },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    port,
    child,
    exited: () => exited,
    async stop(signal = 'SIGTERM') {
      if (exited) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 3000);
      t.unref();
      await exit;
      clearTimeout(t);
    },
  };
}
