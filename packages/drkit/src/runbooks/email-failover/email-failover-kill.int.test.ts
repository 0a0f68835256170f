import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgClusterManager } from '../../adapters/postgres/pg-cluster-manager.js';
import { PgMailOutbox } from '../../adapters/postgres-outbox/index.js';
import { sendPending } from '../../app/mail-sender.js';
import { writeAppConfig } from '../../lab/app-config.js';
import { startMailpit, type MailpitServer } from '../../lab/mailpit-server.js';
import { mailerFactory } from '../../providers/mailer-factory.js';
import { makeLabFixture, runCli, spawnCli, type LabFixture } from '../../testing/lab-fixture.js';
import { freePort, sleep } from '../../util/net.js';

/**
 * RB-N-07 killed for real: `drkit runbook run rb-n-07` is a child process that gets SIGKILL
 * while it re-sends through the secondary mailpit, then `drkit runbook resume` finishes it.
 * "Sent twice" is counted on both mailpit servers by Message-ID, never from the outbox.
 */
const ACTIVE = 'drkit/mail-provider';
const N = 8;
let fx: LabFixture;
let mgr: PgClusterManager;
let primary: MailpitServer;
let secondary: MailpitServer;
let outbox: PgMailOutbox;

const creds = (m: MailpitServer) => ({
  kind: 'smtp',
  host: m.host,
  port: m.smtpPort,
  user: 'shop',
  password: 'not-a-real-password',
});

beforeAll(async () => {
  fx = makeLabFixture({
    mail: {
      providers: {
        primary: { credentialsSecret: 'mail/primary' },
        secondary: { credentialsSecret: 'mail/secondary' },
      },
      // one message per 400 ms: the resend of 8 takes ~3 s, long enough to be killed in
      warmupPerMinute: [150],
    },
  });
  mgr = new PgClusterManager({ labDir: path.join(fx.dir, 'pg') });
  await mgr.create('app', { port: await freePort(), stanza: false });
  const conn = mgr.connectionConfig('app');
  await writeAppConfig(fx.provider.secrets, {
    dbClusterId: 'app',
    db: { host: conn.host!, port: conn.port!, database: conn.database!, user: conn.user! },
    global_readonly: false,
  });
  [primary, secondary] = await Promise.all([startMailpit(), startMailpit()]);
  await fx.provider.secrets.put('mail/primary', creds(primary));
  await fx.provider.secrets.put('mail/secondary', creds(secondary));
  await fx.provider.secrets.put(ACTIVE, { ...creds(primary), provider: 'primary' });
  outbox = new PgMailOutbox({
    connect: async () => {
      const c = new pg.Client(mgr.connectionConfig('app'));
      await c.connect();
      return c;
    },
  });
});

afterAll(async () => {
  await outbox?.close();
  await Promise.all([primary?.stop(), secondary?.stop()]);
  for (const c of mgr?.list() ?? []) {
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  }
  await fx?.cleanup();
});

describe('RB-N-07 killed with SIGKILL during the resend', () => {
  it('GIVEN `drkit runbook run rb-n-07` killed -9 mid-resend WHEN `drkit runbook resume` THEN no Message-ID arrives twice on either server and only a message named in doubt can be missing', async () => {
    await primary.refuse(451);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const m = await outbox.enqueue({
        critical: true,
        category: i % 2 ? 'receipt' : 'password-reset',
        mail: {
          from: 'noreply@shop.example.test',
          to: [`customer${i}@example.test`],
          subject: `Your receipt #${i}`,
          text: 'thank you',
        },
      });
      ids.push(m.messageId);
    }
    const pass = await sendPending({
      outbox,
      secrets: fx.provider.secrets,
      activeSecret: ACTIVE,
      mailers: mailerFactory(),
      key: 'app-task-1',
    });
    expect(pass.failed).toEqual({ temporary: N });

    const child = spawnCli([
      '--config',
      fx.configFile,
      'runbook',
      'run',
      'rb-n-07',
      '--param',
      'to=secondary',
      '--yes',
    ]);
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const closed = new Promise((r) => child.once('close', r));
    // SIGKILL once the secondary holds some of the resends but not all of them
    const end = Date.now() + 60_000;
    for (;;) {
      const n = (await secondary.messages()).length;
      if (n >= 2) break;
      if (Date.now() > end || child.exitCode !== null)
        throw new Error(`the resend did not start (secondary holds ${n}):\n${stderr}`);
      await sleep(50);
    }
    child.kill('SIGKILL');
    await closed;
    expect(child.signalCode).toBe('SIGKILL');
    const atKill = (await secondary.messages()).length;
    expect(atKill).toBeLessThan(N);

    const journals = readdirSync(fx.provider.paths.journalDir).filter((f) => f.endsWith('.jsonl'));
    expect(journals).toHaveLength(1);
    const executionId = journals[0]!.replace(/\.jsonl$/, '');
    const res = await runCli([
      '--config',
      fx.configFile,
      'runbook',
      'resume',
      executionId,
      '--yes',
    ]);
    expect(res.code, res.stderr).toBe(0);
    // the resume re-sent the rest (the kill left at least 5 of 8 at one per 400 ms)
    expect((await secondary.messages()).length).toBeGreaterThan(atKill);

    // counted on both servers by Message-ID
    const seen = new Map<string, number>();
    for (const srv of [primary, secondary])
      for (const m of await srv.messages()) seen.set(m.MessageID, (seen.get(m.MessageID) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect((await primary.messages()).length).toBe(0);
    const missing = ids.filter((id) => !seen.has(id));
    // a message claimed when the process died is in doubt: reported, never re-sent
    const notes = readFileSync(fx.provider.paths.notificationsFile, 'utf8');
    expect(missing.length).toBeLessThanOrEqual(1);
    expect(notes).toContain('RB-N-07 email failover to secondary done');
    const named = /(\d+) in doubt/.exec(notes);
    const inDoubt = named ? Number(named[1]) : 0;
    expect(named ? true : notes.includes('None in doubt.'), notes).toBe(true);
    expect(inDoubt).toBeGreaterThanOrEqual(missing.length);
    expect(inDoubt).toBeLessThanOrEqual(1);
    // every message is either delivered once (through the secondary) or named in doubt
    expect(ids.length - missing.length).toBeGreaterThanOrEqual(N - 1);
    expect(existsSync(path.join(fx.provider.paths.journalDir, `${executionId}.jsonl`))).toBe(true);
  });
});
