import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyMissingError } from '../engine/errors.js';
import { startLoopbackServer } from './loopback-server.js';

/** A running moto server (the AWS emulator) on loopback. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` to every SDK v3 client. */
  readonly endpoint: string;
  readonly port: number;
  /** Clears every service's state (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Sets moto's runtime config (e.g. Step Functions execution). */
  configure(config: Record<string, unknown>): Promise<void>;
  /** Stops the server process. */
  stop(): Promise<void>;
}

/**
 * Where bootstrap installs moto: `<repo>/.tools/moto-venv`. Override with DRKIT_MOTO_VENV (an
 * installed drkit has no repo around it: the default path then does not exist).
 */
export function motoVenvDir(): string {
  if (process.env.DRKIT_MOTO_VENV) return process.env.DRKIT_MOTO_VENV;
  // src/lab or dist/lab -> packages/drkit -> repo root
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../../../../.tools/moto-venv');
}

/** Starts `moto_server` from the project's virtualenv on a free loopback port. */
export async function startMotoServer(opts: { port?: number } = {}): Promise<MotoServer> {
  const bin = path.join(motoVenvDir(), 'bin', 'moto_server');
  if (!existsSync(bin)) {
    throw new DependencyMissingError(`the moto server is not installed (looked for ${bin})`, {
      hint:
        'in the drkit checkout run scripts/bootstrap, which creates .tools/moto-venv with ' +
        'moto[server]; elsewhere (an installed drkit) set DRKIT_MOTO_VENV to a virtualenv ' +
        'with moto[server]',
    });
  }
  const server = await startLoopbackServer({
    name: 'moto_server',
    command: bin,
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)],
    port: opts.port,
    env: { MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
    ready: async (url) => (await fetch(`${url}/moto-api/`)).status < 500,
  });
  const endpoint = server.url;
  return {
    endpoint,
    port: server.port,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async configure(config) {
      const r = await fetch(`${endpoint}/moto-api/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      });
      if (!r.ok) throw new Error(`moto config failed: HTTP ${r.status}`);
    },
    stop: () => server.stop(),
  };
}

/** Fake static credentials for talking to moto (any value works). */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
