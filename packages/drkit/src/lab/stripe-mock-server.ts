import { existsSync } from 'node:fs';
import { DependencyMissingError } from '../engine/errors.js';
import { startLoopbackServer } from './loopback-server.js';
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
  const server = await startLoopbackServer({
    name: 'stripe-mock',
    command: bin,
    args: (port) => ['-http-addr', `127.0.0.1:${port}`],
    ready: async (url) =>
      (await fetch(`${url}/v1/events`, { headers: { authorization: 'Bearer sk_test_123' } })).ok,
  });
  return { url: server.url, stop: () => server.stop() };
}
