import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { startTypesenseServer, type TypesenseServer } from '../../lab/typesense-server.js';
import { searchIndexContract } from '../../ports/search-index.contract.js';
import { freePort } from '../../util/net.js';
import { TypesenseSearchIndex } from './typesense-search-index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'drkit-typesense-contract-'));
const servers: TypesenseServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

searchIndexContract('typesense (real server 0.24.1)', async () => {
  const ts = await startTypesenseServer({ dataDir: path.join(dir, 'main') });
  servers.push(ts);
  return {
    index: new TypesenseSearchIndex({ url: ts.url, apiKey: ts.apiKey }),
    wrongKey: () => new TypesenseSearchIndex({ url: ts.url, apiKey: 'wrong-key' }),
    unreachable: () => {
      // a port nobody listens on: the server's own peering port is bound, so take a fresh one
      const url = `http://127.0.0.1:${ts.port === 1 ? 2 : 1}`;
      return new TypesenseSearchIndex({ url, apiKey: ts.apiKey, timeoutSeconds: 2 });
    },
    lagging: async () => {
      const lag = await startTypesenseServer({
        dataDir: path.join(dir, 'lagging'),
        healthyWriteLag: 1,
        port: await freePort(),
      });
      servers.push(lag);
      return new TypesenseSearchIndex({ url: lag.url, apiKey: lag.apiKey, backoffBaseMs: 20 });
    },
  };
});
