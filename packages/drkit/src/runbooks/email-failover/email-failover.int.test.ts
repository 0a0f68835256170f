import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecrets } from '../../adapters/file-secrets/index.js';
import { LogNotifier } from '../../adapters/log-notifier/index.js';
import { PgClusterManager } from '../../adapters/postgres/pg-cluster-manager.js';
import { PgMailOutbox } from '../../adapters/postgres-outbox/index.js';
import { sendPending } from '../../app/mail-sender.js';
import { parseConfig } from '../../config/load.js';
import { PreconditionError, UsageError } from '../../engine/errors.js';
import { execute, resume } from '../../engine/executor.js';
import { startMailpit, type MailpitServer } from '../../lab/mailpit-server.js';
import type { Mailer, MailerFactory } from '../../ports/mailer.js';
import { mailerFactory } from '../../providers/mailer-factory.js';
import { makeProvider } from '../../providers/provider.js';
import { freePort } from '../../util/net.js';
import { createEmailFailoverRunbook, emailFailover, type EmailFailoverState } from './index.js';

/**
 * RB-N-07 on real servers: two mailpit instances are the primary and secondary providers, the
 * outbox is in a real PostgreSQL 15, the secrets are the lab's files. The primary refuses with
 * SMTP 451 (mailpit chaos); every check of "lost" and "twice" reads both servers' APIs by
 * Message-ID, never the outbox.
 */
const ACTIVE = 'drkit/mail-provider';
let dir: string;
let mgr: PgClusterManager;
let primary: MailpitServer;
let secondary: MailpitServer;
let secrets: FileSecrets;
let outbox: PgMailOutbox;
let notifier: LogNotifier;
let journalDir: string;
const factory = mailerFactory();
const config = parseConfig({
  mail: {
    providers: {
      primary: { credentialsSecret: 'mail/primary' },
      secondary: { credentialsSecret: 'mail/secondary' },
      tertiary: { credentialsSecret: 'mail/tertiary' },
      pigeon: { credentialsSecret: 'mail/pigeon' },
      broken: { credentialsSecret: 'mail/broken' },
    },
    warmupPerMinute: [1200],
  },
});

const creds = (m: MailpitServer) => ({
  kind: 'smtp',
  host: m.host,
  port: m.smtpPort,
  user: 'shop',
  password: 'not-a-real-password',
});

function provider(mailers: MailerFactory = factory) {
  return makeProvider({
    provider: 'lab',
    config,
    journalDir,
    ports: {
      mailers: () => mailers,
      mailSecrets: () => secrets,
      mailOutbox: () => outbox,
      notifier: () => notifier,
    },
  });
}

async function prepare(raw: Record<string, unknown>, mailers?: MailerFactory) {
  return await emailFailover.prepare(raw, provider(mailers), { config, journalDir });
}

/** Every Message-ID both servers hold, with how many times each holds it. */
async function deliveries(): Promise<Map<string, { primary: number; secondary: number }>> {
  const out = new Map<string, { primary: number; secondary: number }>();
  for (const [name, srv] of [
    ['primary', primary],
    ['secondary', secondary],
  ] as const) {
    for (const m of await srv.messages()) {
      const e = out.get(m.MessageID) ?? { primary: 0, secondary: 0 };
      e[name]++;
      out.set(m.MessageID, e);
    }
  }
  return out;
}

const app = () =>
  sendPending({ outbox, secrets, activeSecret: ACTIVE, mailers: factory, key: 'app-task-1' });

async function enqueue(n: number, critical = true) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await outbox.enqueue({
      critical,
      category: critical ? (i % 2 ? 'receipt' : 'password-reset') : 'newsletter',
      mail: {
        from: 'noreply@shop.example.test',
        to: [`customer${i}@example.test`],
        subject: critical ? `Your receipt #${i}` : `News ${i}`,
        text: 'thank you',
      },
    });
    ids.push(m.messageId);
  }
  return ids;
}

async function worldSnapshot() {
  const c = new pg.Client(mgr.connectionConfig('app'));
  await c.connect();
  try {
    const rows = (await c.query('SELECT * FROM mail_outbox ORDER BY id')).rows;
    const files: Array<[string, unknown]> = [];
    for (const n of (await secrets.list()).sort()) files.push([n, await secrets.get(n)]);
    return {
      rows,
      files,
      primary: (await primary.messages()).length,
      secondary: (await secondary.messages()).length,
    };
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dir = mkdtempSync('/tmp/drkit-rb-n-07-');
  chmodSync(dir, 0o755); // the postgres user must traverse it
  journalDir = path.join(dir, 'journal');
  mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
  await mgr.create('app', { port: await freePort(), stanza: false });
  [primary, secondary] = await Promise.all([startMailpit(), startMailpit()]);
  secrets = new FileSecrets(path.join(dir, 'secrets'));
  await secrets.put('mail/primary', creds(primary));
  await secrets.put('mail/secondary', creds(secondary));
  await secrets.put('mail/pigeon', { kind: 'pigeon', loft: 'roof' });
  await secrets.put('mail/broken', { kind: 'smtp', port: 25 });
  await secrets.put(ACTIVE, { ...creds(primary), provider: 'primary' });
  outbox = new PgMailOutbox({
    connect: async () => {
      const c = new pg.Client(mgr.connectionConfig('app'));
      await c.connect();
      return c;
    },
  });
  notifier = new LogNotifier(path.join(dir, 'notifications.jsonl'));
});

afterAll(async () => {
  await outbox?.close();
  await Promise.all([primary?.stop(), secondary?.stop()]);
  for (const c of mgr?.list() ?? []) {
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RB-N-07 email failover on two mailpit servers', () => {
  it('GIVEN a primary refusing with 451 WHEN RB-N-07 runs THEN every failed critical message arrives once through the secondary, alerted, warmed up', async () => {
    const early = await enqueue(3);
    expect(await app()).toMatchObject({ provider: 'primary', sent: 3 });
    await primary.refuse(451);
    const lost = await enqueue(4);
    await enqueue(1, false);
    expect(await app()).toMatchObject({ sent: 0, failed: { temporary: 5 } });

    const { runbook, state } = await prepare({ to: 'secondary' });
    const t0 = Date.now();
    const res = await execute(runbook, state, { journalDir, yes: true });
    expect(res.summary?.outcome).toBe('succeeded');
    const s = res.state as EmailFailoverState;
    expect(s).toMatchObject({ fromProvider: 'primary', failedBefore: 4, resent: 4, inDoubt: [] });
    expect(s.failureRate).toEqual({ sent: 3, failed: 5 });
    // warm-up: 1200/min is one message per 50 ms; four resends take at least 150 ms
    expect(Date.parse(s.lastResendAt!) - Date.parse(s.firstResendAt!)).toBeGreaterThanOrEqual(140);
    expect(Date.now() - t0).toBeLessThan(20_000);

    const d = await deliveries();
    for (const id of early) expect(d.get(id)).toEqual({ primary: 1, secondary: 0 });
    for (const id of lost) expect(d.get(id)).toEqual({ primary: 0, secondary: 1 });
    expect([...d.values()].every((v) => v.primary + v.secondary === 1)).toBe(true);
    expect((await outbox.list('failed')).map((m) => m.category)).toEqual(['newsletter']);

    expect(await secrets.get(ACTIVE)).toMatchObject({
      provider: 'secondary',
      port: secondary.smtpPort,
      warmup: { perMinute: [1200] },
    });
    const alerts = readFileSync(notifier.file, 'utf8');
    expect(alerts).toContain('RB-N-07 email failover: primary → secondary');
    expect(alerts).toContain('"severity":"critical"');
    expect(alerts).not.toContain('not-a-real-password');
    expect(readFileSync(res.journalFile!, 'utf8')).not.toContain('not-a-real-password');

    // the app now sends through the secondary without a restart
    const after = await enqueue(2);
    expect(await app()).toMatchObject({ provider: 'secondary', sent: 2 });
    for (const id of after)
      expect((await deliveries()).get(id)).toEqual({ primary: 0, secondary: 1 });

    // running it again changes nothing on either server
    const before = await deliveries();
    const again = await prepare({ to: 'secondary' });
    const r2 = await execute(again.runbook, again.state, { journalDir, yes: true });
    expect(r2.state).toMatchObject({ resent: 0, failedBefore: 0 });
    expect(await deliveries()).toEqual(before);

    // switch back once the primary is healthy: a separate, confirmed run
    await primary.refuse(undefined);
    const back = await prepare({ to: 'primary' });
    await expect(execute(back.runbook, back.state, { journalDir })).rejects.toThrow(
      /confirm|--yes/i,
    );
    const r3 = await execute(back.runbook, back.state, { journalDir, yes: true });
    expect(r3.summary?.outcome).toBe('succeeded');
    expect(await secrets.get(ACTIVE)).toMatchObject({
      provider: 'primary',
      port: primary.smtpPort,
    });
  });

  // the deterministic in-doubt case (a crash right after the provider accepted); the real
  // SIGKILL of the CLI is in email-failover-kill.int.test.ts
  it('GIVEN RB-N-07 killed during the resend WHEN resumed THEN no message is sent twice and the one in doubt is named', async () => {
    await primary.refuse(451);
    const ids = await enqueue(5);
    expect(await app()).toMatchObject({ failed: { temporary: 5 } });
    // the third send reaches the secondary, then the process "dies" before recording it
    let sends = 0;
    const dying: MailerFactory = {
      kinds: factory.kinds,
      open(c): Mailer {
        const real = factory.open(c);
        return {
          kind: real.kind,
          capabilities: real.capabilities,
          planSend: (m) => real.planSend(m),
          async send(m) {
            const r = await real.send(m);
            if (++sends === 3) throw new Error('simulated crash after the provider accepted');
            return r;
          },
        };
      },
    };
    const { runbook, state } = await prepare({ to: 'secondary' }, dying);
    await expect(
      execute(runbook, state, { journalDir, yes: true, executionId: 'rb-n-07-killed' }),
    ).rejects.toThrow(/simulated crash/);
    const res = await resume(
      createEmailFailoverRunbook({ mailers: factory, secrets, outbox, notifier }),
      'rb-n-07-killed',
      { journalDir, yes: true },
    );
    expect(res.summary?.outcome).toBe('succeeded');
    const s = res.state as EmailFailoverState;
    expect(s.inDoubt).toHaveLength(1);
    expect(s.resent).toBe(4);
    const d = await deliveries();
    for (const id of ids) expect(d.get(id)).toEqual({ primary: 0, secondary: 1 });
    expect(readFileSync(notifier.file, 'utf8')).toContain('1 in doubt');
  });

  it('GIVEN switchBackTo WHEN the primary is still refusing THEN the run stops after the failover; once healthy, resume probes it and switches back in its own confirmed step', async () => {
    // the primary is active again and starts refusing
    await secrets.put(ACTIVE, { ...creds(primary), provider: 'primary' });
    await primary.refuse(451);
    const ids = await enqueue(2);
    expect(await app()).toMatchObject({ provider: 'primary', failed: { temporary: 2 } });
    const back = {
      to: 'secondary',
      switchBackTo: 'primary',
      probeTo: 'postmaster@shop.example.test',
      healthyProbes: '2',
      probeIntervalSeconds: '0.5',
      switchBackWaitSeconds: '2',
    };
    const questions: string[] = [];
    const confirm = async (q: string) => {
      questions.push(q);
      return true;
    };
    const { runbook, state } = await prepare(back);
    const err = await execute(runbook, state, {
      journalDir,
      confirm,
      executionId: 'rb-n-07-switch-back',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toMatch(
      /email provider 'primary' is not healthy yet: \d+ of \d+ probes refused within 2 s \(last: temporary/,
    );
    expect((err as PreconditionError).hint).toContain('drkit runbook resume rb-n-07-switch-back');
    // the failover itself is done: the secondary delivered both, mail goes through it
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('Switch the active email provider credentials');
    expect(await secrets.get(ACTIVE)).toMatchObject({ provider: 'secondary' });
    let d = await deliveries();
    for (const id of ids) expect(d.get(id)).toEqual({ primary: 0, secondary: 1 });

    // the primary heals; resume probes it and asks again, for the switch back only
    await primary.refuse(undefined);
    const res = await resume(
      createEmailFailoverRunbook({ mailers: factory, secrets, outbox, notifier }),
      'rb-n-07-switch-back',
      { journalDir, confirm },
    );
    expect(res.summary?.outcome).toBe('succeeded');
    expect(questions).toHaveLength(2);
    expect(questions[1]).toContain('Switch the active email provider back');
    const s = res.state as EmailFailoverState;
    expect(s.switchBackProbes!.accepted).toBe(2);
    // (the refused probes are in the failed attempt's error; this attempt's are all accepted)
    expect((err as PreconditionError).details).toMatchObject({ probes: { accepted: 0 } });
    expect(s.switchBackProbes!.refused).toBe(0);
    const active = await secrets.get(ACTIVE);
    expect(active).toMatchObject({ provider: 'primary', port: primary.smtpPort });
    expect(active.warmup).toBeUndefined();
    // the probes that were accepted (and the last one before the write) are on the primary
    d = await deliveries();
    const probes = [...d.keys()].filter((k) => k.startsWith('drkit-probe-rb-n-07-switch-back-'));
    expect(probes).toHaveLength(3);
    for (const k of probes) expect(d.get(k)).toEqual({ primary: 1, secondary: 0 });
    for (const id of ids) expect(d.get(id)).toEqual({ primary: 0, secondary: 1 });
    const journal = readFileSync(res.journalFile!, 'utf8');
    expect(journal).toContain('switch-back');
    expect(journal).not.toContain('not-a-real-password');
    expect(readFileSync(notifier.file, 'utf8')).toContain(
      'RB-N-07 email switched back: secondary → primary',
    );
    // the app sends through the primary again
    const after = await enqueue(1);
    expect(await app()).toMatchObject({ provider: 'primary', sent: 1 });
    expect((await deliveries()).get(after[0]!)).toEqual({ primary: 1, secondary: 0 });
    // bad switch-back inputs: clear errors before anything runs
    await expect(prepare({ ...back, switchBackTo: 'mailgun' })).rejects.toThrow(
      /unknown email provider 'mailgun' \(switchBackTo\)/,
    );
    await expect(prepare({ ...back, switchBackTo: 'secondary' })).rejects.toThrow(
      /is the provider failed over to/,
    );
    await expect(prepare({ to: 'secondary', switchBackTo: 'primary' })).rejects.toThrow(
      /switchBackTo needs probeTo/,
    );
  });

  it('GIVEN bad inputs WHEN RB-N-07 is prepared THEN each is a clear error and nothing changes', async () => {
    const before = await worldSnapshot();
    await expect(prepare({ to: 'mailgun' })).rejects.toThrow(UsageError);
    await expect(prepare({ to: 'mailgun' })).rejects.toThrow(
      /unknown email provider 'mailgun'[\s\S]*/,
    );
    await expect(prepare({ to: 'tertiary' })).rejects.toThrow(PreconditionError);
    await expect(prepare({ to: 'tertiary' })).rejects.toThrow(
      /credentials secret of email provider 'tertiary' \(mail\/tertiary\) is missing/,
    );
    await expect(prepare({ to: 'pigeon' })).rejects.toThrow(/unknown email provider kind 'pigeon'/);
    await expect(prepare({ to: 'broken' })).rejects.toThrow(/missing or malformed host/);
    await expect(prepare({ to: 'secondary', warmupPerMinute: 'fast' })).rejects.toThrow(
      /--param warmupPerMinute/,
    );
    await expect(prepare({ to: 'secondary', colour: 'blue' })).rejects.toThrow(UsageError);
    // a dry run plans and changes nothing either
    const { runbook, state } = await prepare({ to: 'secondary' });
    const plan = await execute(runbook, state, { journalDir, dryRun: true });
    expect(plan.summary).toBeUndefined();
    expect(await worldSnapshot()).toEqual(before);
  });
});
