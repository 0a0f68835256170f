import { existsSync } from 'node:fs';
import path from 'node:path';
import { DependencyMissingError } from '../engine/errors.js';
import { startLoopbackServer } from './loopback-server.js';
import { toolsDir } from './tools.js';

/** A running localstripe (a stateful Stripe API emulator), bound to loopback. */
export interface LocalstripeServer {
  /** `http://127.0.0.1:<port>`: the Stripe API base. */
  readonly url: string;
  readonly port: number;
  /** Registers a webhook endpoint (`POST /_config/webhooks/<id>`): signed deliveries, tried once. */
  addWebhook(id: string, url: string, secret: string, events?: readonly string[]): Promise<void>;
  /** Stops the process. */
  stop(): Promise<void>;
}

/**
 * localstripe's own entry point binds `::` (every interface) and pickles its store into
 * `/tmp/localstripe.pickle` on every write, so two instances collide. This launcher serves the
 * same aiohttp app on 127.0.0.1 only and keeps the store in memory (never loaded, never dumped).
 */
const LAUNCHER = `
import sys
from aiohttp import web
from localstripe import resources
from localstripe.server import app
resources.Store.dump_to_disk = lambda self: None
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)
`;

/** Starts localstripe from `.tools/localstripe-venv` on a free loopback port, from scratch. */
export async function startLocalstripe(): Promise<LocalstripeServer> {
  const python = path.join(toolsDir(), 'localstripe-venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new DependencyMissingError(`localstripe is not installed (looked for ${python})`, {
      hint: 'run scripts/bootstrap: it creates .tools/localstripe-venv (or set DRKIT_TOOLS_DIR)',
    });
  }
  const server = await startLoopbackServer({
    name: 'localstripe',
    command: python,
    args: (port) => ['-c', LAUNCHER, String(port)],
    ready: async (url) =>
      (
        await fetch(`${url}/v1/events?limit=1`, {
          headers: { authorization: 'Bearer sk_test_ready' },
        })
      ).ok,
  });
  const url = server.url;
  return {
    url,
    port: server.port,
    async addWebhook(id, target, secret, events) {
      const body = new URLSearchParams({ url: target, secret });
      for (const e of events ?? []) body.append('events[]', e);
      const r = await fetch(`${url}/_config/webhooks/${encodeURIComponent(id)}`, {
        method: 'POST',
        body,
      });
      if (!r.ok) throw new Error(`localstripe webhook config: HTTP ${r.status}`);
    },
    stop: () => server.stop(),
  };
}
