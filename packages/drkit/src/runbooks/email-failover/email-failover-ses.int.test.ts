import { VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerSecrets, SesMailer } from '../../adapters/aws/index.js';
import { LogNotifier } from '../../adapters/log-notifier/index.js';
import { PgClusterManager } from '../../adapters/postgres/pg-cluster-manager.js';
import { PgMailOutbox } from '../../adapters/postgres-outbox/index.js';
import { sendPending } from '../../app/mail-sender.js';
import { parseConfig } from '../../config/load.js';
import { execute } from '../../engine/executor.js';
import { startMailpit, type MailpitServer } from '../../lab/mailpit-server.js';
import { mailerFactory } from '../../providers/mailer-factory.js';
import { makeProvider } from '../../providers/provider.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../../testing/moto.js';
import { freePort } from '../../util/net.js';
import { emailFailover, type EmailFailoverState } from './index.js';

/**
 * RB-N-07 from an SMTP primary (mailpit, refusing with 451) to SES in region B (moto), the
 * credentials switched in region B's Secrets Manager (moto): the seeds' "SES/secondary".
 */
const ACTIVE = 'drkit/mail-provider';
const REGION_B = 'us-west-2';
let dir: string;
let mgr: PgClusterManager;
let primary: MailpitServer;
let env: Partial<MotoClients> = {};
let outbox: PgMailOutbox;

beforeAll(async () => {
  dir = mkdtempSync('/tmp/drkit-rb-n-07-ses-');
  chmodSync(dir, 0o755); // the postgres user must traverse it
  mgr = new PgClusterManager({ labDir: path.join(dir, 'pg') });
  await mgr.create('app', { port: await freePort(), stanza: false });
  primary = await startMailpit();
  env = await startMotoClients();
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
  await primary?.stop();
  await stopMotoClients(env);
  for (const c of mgr?.list() ?? []) {
    if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RB-N-07 from SMTP to SES in region B (moto)', () => {
  it('GIVEN the SMTP primary refusing WHEN RB-N-07 switches to SES THEN the failed critical mail goes out once through SES with its Message-ID', async () => {
    const { clients, moto } = env as MotoClients;
    const from = 'noreply@shop.example.test';
    await clients.ses(REGION_B).send(new VerifyEmailIdentityCommand({ EmailAddress: from }));
    const secrets = new SecretsManagerSecrets({ clients, region: REGION_B });
    await secrets.put('mail/primary', { kind: 'smtp', host: primary.host, port: primary.smtpPort });
    await secrets.put('mail/ses', { kind: 'ses', region: REGION_B });
    await secrets.put(ACTIVE, {
      kind: 'smtp',
      host: primary.host,
      port: primary.smtpPort,
      provider: 'primary',
    });
    const mailers = mailerFactory({ ses: (region) => new SesMailer({ clients, region }) });
    await primary.refuse(451);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await outbox.enqueue({
        critical: true,
        category: 'password-reset',
        mail: { from, to: [`c${i}@example.test`], subject: `Reset ${i}`, text: 'code' },
      });
      ids.push(m.messageId);
    }
    expect(
      await sendPending({ outbox, secrets, activeSecret: ACTIVE, mailers, key: 'app' }),
    ).toMatchObject({ failed: { temporary: 3 } });

    const config = parseConfig({
      mail: {
        providers: {
          primary: { credentialsSecret: 'mail/primary' },
          ses: { credentialsSecret: 'mail/ses' },
        },
        warmupPerMinute: [1200],
      },
    });
    const journalDir = path.join(dir, 'journal');
    const provider = makeProvider({
      provider: 'aws',
      config,
      journalDir,
      ports: {
        mailers: () => mailers,
        mailSecrets: () => secrets,
        mailOutbox: () => outbox,
        notifier: () => new LogNotifier(path.join(dir, 'notifications.jsonl')),
      },
    });
    const { runbook, state } = await emailFailover.prepare({ to: 'ses' }, provider, {
      config,
      journalDir,
    });
    const res = await execute(runbook, state, { journalDir, yes: true });
    expect(res.state as EmailFailoverState).toMatchObject({ resent: 3, inDoubt: [] });
    expect(await secrets.get(ACTIVE)).toMatchObject({
      kind: 'ses',
      region: REGION_B,
      provider: 'ses',
    });

    const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
      ses: { RawMessage: { raw_data: string }[] };
    };
    const sent = data.ses.RawMessage.map((m) => /^Message-ID: <([^>]+)>/im.exec(m.raw_data)?.[1]);
    expect(sent.sort()).toEqual([...ids].sort());
    expect(await primary.messages()).toHaveLength(0);
  });
});
