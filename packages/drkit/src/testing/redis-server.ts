import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { redisArgv, redisReady } from '../lab/cache-lab.js';
import { DetachedProcess } from '../lab/detached-process.js';
import { freePort } from '../util/net.js';

/** A real redis-server on a free loopback port for a test, with a client of its own. */
export interface TestRedis {
  readonly port: number;
  /** A client of the test's own (seeding, reading back): not the adapter under test. */
  readonly client: RedisClientType;
  stop(): Promise<void>;
}

/** Starts Debian's redis-server the way `lab up` does (in memory, loopback). */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'drkit-redis-'));
  const port = await freePort();
  const proc = new DetachedProcess(dir, 'redis');
  await proc.start(redisArgv('redis-server', port, dir), () => redisReady(port));
  const client: RedisClientType = createClient({ socket: { host: '127.0.0.1', port } });
  await client.connect();
  return {
    port,
    client,
    async stop() {
      await client.close().catch(() => undefined);
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
