import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { routerContract } from '../../ports/router.contract.js';
import { freePort } from '../../util/net.js';
import type { HaproxyServer } from './haproxy-config.js';
import { HaproxyRouter, type HaproxyRouterOptions } from './haproxy-router.js';

/**
 * The Router contract on a real HAProxy (the distribution package): one healthy HTTP target
 * per region (`/healthz` answers 200), region b's as backup, checked every 100 ms.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'drkit-router-contract-'));
const targets: http.Server[] = [];
let opts: HaproxyRouterOptions;
let router: HaproxyRouter | undefined;

async function target(): Promise<number> {
  const srv = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  targets.push(srv);
  return (srv.address() as AddressInfo).port;
}

beforeAll(async () => {
  const servers: HaproxyServer[] = [
    { name: 'a-1', region: 'a', host: '127.0.0.1', port: await target(), backup: false },
    { name: 'b-1', region: 'b', host: '127.0.0.1', port: await target(), backup: true },
  ];
  opts = {
    dir,
    port: await freePort(),
    servers,
    health: { intervalMs: 100, fall: 2, rise: 1, timeoutMs: 500 },
    primaryRegion: 'a',
  };
  router = new HaproxyRouter(opts);
  await router.start();
});
afterAll(async () => {
  await router?.stop();
  for (const s of targets) s.close();
  rmSync(dir, { recursive: true, force: true });
});

routerContract('HaproxyRouter (HAProxy)', () => ({
  router: router!,
  primaryRegion: 'a',
  otherRegion: 'b',
  another: () => new HaproxyRouter(opts),
  unreachable: () => new HaproxyRouter({ ...opts, dir: path.join(dir, 'never-started') }),
  settleMs: 5_000,
}));
