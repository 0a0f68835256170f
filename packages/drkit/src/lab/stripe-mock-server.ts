import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DependencyMissingError } from '../engine/errors.js';
import { freePort, waitFor } from '../util/net.js';
import { toolBin } from './tools.js';

/** A running stripe-mock (Stripe's OpenAPI-checked stateless mock), HTTP on loopback. */
export interface StripeMockServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts stripe-mock from `.tools/bin` on a free loopback port, HTTP only (its `-port`
 * default would bind every interface). It checks request shapes against Stripe's OpenAPI spec
 * and answers fixtures: for the production adapter's requests, not for flows.
 */
export async function startStripeMock(): Promise<StripeMockServer> {
  const bin = toolBin('stripe-mock');
  if (!existsSync(bin)) {
    throw new DependencyMissingError(`stripe-mock is not installed (looked for ${bin})`, {
      hint: 'run scripts/bootstrap: it builds stripe-mock into .tools/bin (or set DRKIT_TOOLS_DIR)',
    });
  }
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['-http-addr', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`stripe-mock exited early: ${stderr}`);
        try {
          return (
            await fetch(`${url}/v1/events`, { headers: { authorization: 'Bearer sk_test_123' } })
          ).ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'stripe-mock to listen' },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    async stop() {
      if (exited) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
