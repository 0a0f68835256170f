import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { mailOutboxContract } from '../../ports/mail-outbox.contract.js';
import { freePort } from '../../util/net.js';
import { PgClusterManager } from '../postgres/pg-cluster-manager.js';
import { PgMailOutbox } from './pg-mail-outbox.js';

let dir: string | undefined;
let mgr: PgClusterManager | undefined;
const outboxes: PgMailOutbox[] = [];
afterAll(async () => {
  for (const o of outboxes) await o.close();
  for (const c of mgr?.list() ?? []) {
    if (mgr!.isRunning(c.id)) await mgr!.stop(c.id, 'immediate').catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

mailOutboxContract('postgres 15', async () => {
  dir = mkdtempSync('/tmp/drkit-outbox-');
  chmodSync(dir, 0o755); // the postgres user must traverse it
  mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
  await mgr.create('app', { port: await freePort(), stanza: false });
  const m = mgr;
  const open = () =>
    new PgMailOutbox({
      connect: async () => {
        const c = new pg.Client(m.connectionConfig('app'));
        await c.connect();
        return c;
      },
    });
  const [outbox, other] = [open(), open()];
  outboxes.push(outbox, other);
  return { outbox, other };
});
