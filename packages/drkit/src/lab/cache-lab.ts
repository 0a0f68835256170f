import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { DrkitConfig } from '../config/schema.js';
import { DependencyMissingError } from '../engine/errors.js';
import { freePort } from '../util/net.js';
import { readAppConfig, writeAppConfig, type AppCacheConfig } from './app-config.js';
import { DetachedProcess } from './detached-process.js';
import type { LabProvider } from './provider.js';

/** `<labDir>/cache.json`: the lab's Redis, as `lab up` made it. */
export interface LabCacheState {
  /** Redis's port on 127.0.0.1. */
  readonly port: number;
  /** The app's key prefix. */
  readonly prefix: string;
}

const stateFile = (p: LabProvider) => path.join(p.paths.labDir, 'cache.json');
const proc = (p: LabProvider) => new DetachedProcess(path.join(p.paths.labDir, 'cache'), 'redis');

/** The lab's cache record, when `lab up` made one. */
export function readLabCache(p: LabProvider): LabCacheState | undefined {
  const f = stateFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LabCacheState) : undefined;
}

/** Redis's pid while it runs. */
export function redisPid(p: LabProvider): number | undefined {
  return proc(p).pid();
}

/** True once Redis answers PING with PONG on `port`. */
export async function redisReady(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (b: Buffer) => {
      got += b.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

/** redis-server's command line for a loopback cache: in memory only (no RDB, no AOF), in the foreground. */
export function redisArgv(bin: string, port: number, dir: string): string[] {
  return [
    bin,
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
  ];
}

/**
 * `drkit lab up` (with `lab.cache.enabled`): a Redis server of the lab's own (Debian's
 * `redis-server`, never the system service) on a free loopback port, in memory only (no RDB,
 * no AOF: a cache), as a detached process under `<labDir>/cache/`; and the app config's
 * `cache` section, so the app reads through it. Again on a lab that has it: starts it if
 * stopped (empty: a cache loses nothing by that) on the same port.
 * @throws DependencyMissingError when redis-server is not installed
 */
export async function labUpCache(
  p: LabProvider,
  config: DrkitConfig,
  opts: { progress?: (m: string) => void } = {},
): Promise<LabCacheState | undefined> {
  const c = config.lab.cache;
  if (!c.enabled) return undefined;
  const bin = c.redisBin;
  if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new DependencyMissingError(`the Redis server is not installed (ran '${bin} --version')`, {
      hint: "install Debian's redis-server (scripts/bootstrap does), or set lab.cache.enabled: false",
    });
  const prev = readLabCache(p);
  const state: LabCacheState = { port: prev?.port ?? (await freePort()), prefix: c.prefix };
  mkdirSync(p.paths.labDir, { recursive: true });
  writeFileSync(stateFile(p), JSON.stringify(state, null, 2) + '\n'); // before the start: `lab down` finds it
  const dir = path.join(p.paths.labDir, 'cache');
  opts.progress?.(`cache: redis-server on 127.0.0.1:${state.port}`);
  await proc(p).start(redisArgv(bin, state.port, dir), () => redisReady(state.port));
  const section: AppCacheConfig = {
    host: '127.0.0.1',
    port: state.port,
    prefix: state.prefix,
    ttlSeconds: c.ttlSeconds,
  };
  await writeAppConfig(p.secrets, { ...(await readAppConfig(p.secrets)), cache: section });
  return state;
}

/** Stops the lab's Redis (its keys are in memory only: they go with it). Idempotent. */
export async function stopCache(p: LabProvider): Promise<void> {
  await proc(p).stop();
}
