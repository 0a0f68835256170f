import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { FileSecrets } from '../adapters/file-secrets/index.js';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import { PgClusterManager } from '../adapters/postgres/pg-cluster-manager.js';
import { PgMailOutbox } from '../adapters/postgres-outbox/index.js';
import { sendPending } from '../app/mail-sender.js';
import type { ExecutionResult } from '../engine/executor.js';
import { startMailpit, type MailpitServer } from '../lab/mailpit-server.js';
import { bindProvider } from '../providers/index.js';
import { mailerFactory } from '../providers/mailer-factory.js';
import { withPorts } from '../providers/provider.js';
import { judge, type DrillReport } from '../report/drill-report.js';
import { emailFailover, type EmailFailoverState } from '../runbooks/email-failover/index.js';
import { runRunbook } from '../runbooks/run.js';
import { freePort, sleep } from '../util/net.js';
import type { SharedWarmupPacer, WarmupSchedule } from '../util/warmup.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';
import { checkWarmup, measureEmailLoss, type Delivery } from './email-measure.js';

/** Options of `drkit drill email-failover`. */
export interface EmailDrillOptions extends Omit<DrillOptions, 'seedUsers' | 'keep'> {
  /** Critical messages the app queues per second. @default 4 */
  readonly messagesPerSecond?: number;
  /** Warm-up of the secondary, messages per minute per stage. @default [120, 600] */
  readonly warmupPerMinute?: readonly number[];
  /** Seconds per warm-up stage. @default 10 */
  readonly warmupStageSeconds?: number;
  /** Outbox failure rate (0..1) over the last 5 s that declares the incident. @default 0.5 */
  readonly failureRate?: number;
}

const ACTIVE = 'drkit/mail-provider';

/**
 * The RB-N-07 game day on real servers: two mailpit SMTP servers are the primary and secondary
 * providers, the app queues critical mail (receipts, password resets) in a PostgreSQL outbox
 * and sends it → at T0 the primary refuses every recipient (SMTP 451) while the app goes on
 * → detection by the outbox failure rate → RB-N-07 through the engine (as `drkit runbook run
 * rb-n-07` does) → measured from both servers' APIs by Message-ID: T0 → first delivery via the
 * secondary, critical messages lost and delivered twice, the sending rate against the warm-up.
 */
export async function runEmailFailoverDrill(o: EmailDrillOptions): Promise<DrillResult> {
  const rate = o.messagesPerSecond ?? 4;
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', `email-failover-${stamp}`);
  mkdirSync(drillDir, { recursive: true });
  chmodSync(drillDir, 0o755); // the postgres user must traverse it
  const { events, spans, mark, phase } = drillTimeline(say);
  const mgr = new PgClusterManager({ labDir: path.join(drillDir, 'pg') });
  const servers: MailpitServer[] = [];
  let outbox: PgMailOutbox | undefined;
  const stop = new AbortController();
  try {
    const [primary, secondary] = await phase('start world', async () => {
      await mgr.create('app', { port: await freePort(), stanza: false });
      servers.push(await startMailpit(), await startMailpit());
      return servers as [MailpitServer, MailpitServer];
    });
    const secrets = new FileSecrets(path.join(drillDir, 'secrets'));
    const creds = (m: MailpitServer) => ({ kind: 'smtp', host: m.host, port: m.smtpPort });
    await secrets.put('mail/primary', creds(primary));
    await secrets.put('mail/secondary', creds(secondary));
    await secrets.put(ACTIVE, { ...creds(primary), provider: 'primary' });
    const ob = (outbox = new PgMailOutbox({
      connect: async () => {
        const c = new pg.Client(mgr.connectionConfig('app'));
        await c.connect();
        return c;
      },
    }));
    const mailers = mailerFactory();
    const config = {
      ...o.config,
      mail: {
        ...o.config.mail,
        activeSecret: ACTIVE,
        providers: {
          primary: { credentialsSecret: 'mail/primary' },
          secondary: { credentialsSecret: 'mail/secondary' },
        },
        warmupPerMinute: [...(o.warmupPerMinute ?? [120, 600])],
        warmupStageSeconds: o.warmupStageSeconds ?? 10,
      },
    };

    // the app: one loop queues critical mail, one sends the outbox through the active provider
    const critical: string[] = [];
    const producer = (async () => {
      for (let i = 0; !stop.signal.aborted; i++) {
        const m = await ob.enqueue({
          critical: true,
          category: i % 2 ? 'receipt' : 'password-reset',
          mail: {
            from: 'noreply@shop.example.test',
            to: [`customer${i}@example.test`],
            subject: i % 2 ? `Receipt #${i}` : `Password reset #${i}`,
            text: 'drill',
          },
        });
        critical.push(m.messageId);
        await sleep(1000 / rate);
      }
    })();
    const pacing: { startedAt?: string; pacer?: SharedWarmupPacer } = {};
    const sender = (async () => {
      while (!stop.signal.aborted) {
        await sendPending(
          { outbox: ob, secrets, activeSecret: ACTIVE, mailers, key: 'app-task-1' },
          { signal: stop.signal, pacing },
        ).catch(() => undefined);
        await sleep(100);
      }
    })();

    await sleep((o.warmupSeconds ?? 3) * 1000);
    await primary.refuse(451);
    const t0 = new Date();
    mark('T0', t0, 'the primary answers 451 to every recipient');
    const detectedAt = await phase('detect', async () => {
      const threshold = o.failureRate ?? 0.5;
      for (;;) {
        const r = await ob.outcomes(new Date(Date.now() - 5000));
        if (r.failed >= 3 && r.failed / (r.sent + r.failed) >= threshold) return new Date();
        await sleep(250);
      }
    });
    mark('detected', detectedAt, `outbox failure rate ≥ ${o.failureRate ?? 0.5} over 5 s`);
    const base = bindProvider('lab', config, o.baseDir);
    const provider = withPorts(base, {
      mailers: () => mailers,
      mailSecrets: () => secrets,
      mailOutbox: () => ob,
      notifier: () => new LogNotifier(path.join(drillDir, 'notifications.jsonl')),
    });
    let res: ExecutionResult<EmailFailoverState> | undefined;
    let runbookError: string | undefined;
    try {
      res = await phase('RB-N-07', () =>
        runRunbook(
          emailFailover,
          provider,
          { to: 'secondary' },
          { yes: true, ...(o.onEvent ? { onEvent: o.onEvent } : {}) },
        ),
      );
    } catch (err) {
      runbookError = (err as Error).message;
    } finally {
      base.close();
    }
    mark('runbook done');
    await sleep((o.sustainSeconds ?? 5) * 1000);
    stop.abort();
    await Promise.all([producer, sender]);
    // the last queued messages: one more pass through the (new) active provider
    await sendPending({ outbox: ob, secrets, activeSecret: ACTIVE, mailers, key: 'app-final' });
    const endedAt = new Date();

    const deliveries: Delivery[] = [];
    for (const [name, srv] of [
      ['primary', primary],
      ['secondary', secondary],
    ] as const) {
      for (const m of await srv.messages()) {
        deliveries.push({ messageId: m.MessageID, provider: name, at: new Date(m.Created) });
      }
    }
    const loss = measureEmailLoss(critical, deliveries, 'secondary', t0);
    const state = (res?.state ?? {}) as Partial<EmailFailoverState>;
    const schedule: WarmupSchedule = state.warmup ?? {
      startedAt: t0.toISOString(),
      perMinute: config.mail.warmupPerMinute,
      stageSeconds: config.mail.warmupStageSeconds,
    };
    const viaSecondary = deliveries.filter((d) => d.provider === 'secondary').map((d) => d.at);
    const warm = checkWarmup(viaSecondary, schedule);
    if (loss.firstVia) mark('first delivery via the secondary', loss.firstVia);
    const rto = loss.firstVia ? (loss.firstVia.getTime() - t0.getTime()) / 1000 : undefined;
    const achieved = {
      rtoSeconds: rto,
      rpoSeconds: loss.lost.length === 0 ? 0 : undefined,
      lostWrites: loss.lost.length,
      acknowledgedWrites: loss.critical,
    };
    const targets = {
      rtoTargetMinutes: o.config.targets.rtoTargetMinutes,
      rpoTargetSeconds: o.config.targets.rpoTargetSeconds,
    };
    const passed =
      !runbookError && loss.lost.length === 0 && loss.twice.length === 0 && rto !== undefined;
    const report: DrillReport = {
      scenario: 'email-failover',
      drillId: path.basename(drillDir),
      title: 'RB-N-07 email provider failover (primary refuses with SMTP 451)',
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      outcome: passed ? 'passed' : 'failed',
      targets,
      achieved,
      ...judge(targets, achieved),
      events,
      spans,
      facts: {
        providers: 'two mailpit v1.33.1 servers on loopback (primary, secondary)',
        fault: 'mailpit chaos: every RCPT TO answered 451 from T0',
        detection: `outbox failure rate over 5 s, declared ${((detectedAt.getTime() - t0.getTime()) / 1000).toFixed(2)} s after T0`,
        runbook: runbookError
          ? `FAILED: ${runbookError}`
          : `rb-n-07 ${res?.summary?.outcome ?? '?'}`,
        criticalQueued: loss.critical,
        criticalLost: loss.lost.length,
        deliveredTwice: loss.twice.length,
        resent: state.resent ?? 0,
        inDoubt: state.inDoubt?.length ?? 0,
        deliveredViaPrimary: deliveries.filter((d) => d.provider === 'primary').length,
        deliveredViaSecondary: viaSecondary.length,
        warmupSchedule: `${schedule.perMinute.join(' → ')}/min, ${schedule.stageSeconds} s per stage`,
        peakRatePerMinute: warm.peakPerMinute,
        allowedAtPeakPerMinute: warm.allowedPerMinute,
        windowsOverSchedule: warm.overWindows,
        appMessagesPerSecond: rate,
      },
      definitions: {
        rto: 'first message delivered through the secondary (its arrival time on the secondary mailpit) − T0 (the primary starts refusing)',
        rpo: 'critical messages lost: queued, and held by neither server after the drill, counted by Message-ID (0 s only when none is lost)',
      },
      followUps: [
        ...(warm.overWindows
          ? [
              `the secondary received up to ${warm.peakPerMinute}/min against ${warm.allowedPerMinute}/min allowed in ${warm.overWindows} 10-s windows: check the senders all reserve from the outbox's shared slots`,
            ]
          : []),
        ...(state.inDoubt?.length ? [`${state.inDoubt.length} messages in doubt: check them`] : []),
      ],
      ...(res ? { executionId: res.executionId } : {}),
    };
    return drillResult(o, report, drillDir);
  } finally {
    stop.abort();
    await outbox?.close().catch(() => undefined);
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const c of mgr.list()) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
  }
}
