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
export const LOCALSTRIPE_LAUNCHER = `
import sys
from aiohttp import web
from localstripe import resources
from localstripe.server import app
resources.Store.dump_to_disk = lambda self: None
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)
`;

/** The venv's python localstripe runs with. @throws DependencyMissingError when not installed */
export function localstripePython(): string {
  const python = path.join(toolsDir(), 'localstripe-venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new DependencyMissingError(`localstripe is not installed (looked for ${python})`, {
      hint: 'run scripts/bootstrap: it creates .tools/localstripe-venv (or set DRKIT_TOOLS_DIR)',
    });
  }
  return python;
}

/** Whether localstripe at `url` answers its API. */
export async function localstripeReady(url: string): Promise<boolean> {
  const r = await fetch(`${url}/v1/events?limit=1`, {
    headers: { authorization: 'Bearer sk_test_ready' },
  });
  return r.ok;
}

/**
 * Registers a webhook endpoint at localstripe (`POST /_config/webhooks/<id>`): signed
 * deliveries, each tried once. Idempotent (the same id is replaced).
 */
export async function addLocalstripeWebhook(
  url: string,
  id: string,
  target: string,
  secret: string,
  events?: readonly string[],
): Promise<void> {
  const body = new URLSearchParams({ url: target, secret });
  for (const e of events ?? []) body.append('events[]', e);
  const r = await fetch(`${url}/_config/webhooks/${encodeURIComponent(id)}`, {
    method: 'POST',
    body,
  });
  if (!r.ok) throw new Error(`localstripe webhook config: HTTP ${r.status}`);
}

/** Starts localstripe from `.tools/localstripe-venv` on a free loopback port, from scratch. */
export async function startLocalstripe(): Promise<LocalstripeServer> {
  const python = localstripePython();
  const server = await startLoopbackServer({
    name: 'localstripe',
    command: python,
    args: (port) => ['-c', LOCALSTRIPE_LAUNCHER, String(port)],
    ready: localstripeReady,
  });
  const url = server.url;
  return {
    url,
    port: server.port,
    addWebhook: (id, target, secret, events) =>
      addLocalstripeWebhook(url, id, target, secret, events),
    stop: () => server.stop(),
  };
}
