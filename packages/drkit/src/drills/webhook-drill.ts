import { chmodSync, mkdirSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { LogNotifier } from '../adapters/log-notifier/index.js';
import { PgClusterManager } from '../adapters/postgres/pg-cluster-manager.js';
import { PgPaymentLedger } from '../adapters/postgres-payments/index.js';
import { HttpWebhookEndpoint, StripePaymentEvents } from '../adapters/stripe/index.js';
import { createPaymentsServer } from '../app/payments/payments-server.js';
import { PAYMENTS_SCHEMA_SQL } from '../app/payments/schema.js';
import type { ExecutionResult } from '../engine/executor.js';
import { startLocalstripe, type LocalstripeServer } from '../lab/localstripe-server.js';
import { APP_SCHEMA_SQL } from '../lab/schema.js';
import { bindProvider } from '../providers/index.js';
import { withPorts } from '../providers/provider.js';
import { judge, writeDrillReport, type DrillReport } from '../report/drill-report.js';
import { runRunbook } from '../runbooks/run.js';
import { webhookReplay, type WebhookReplayState } from '../runbooks/webhook-replay/index.js';
import { freePort, sleep } from '../util/net.js';
import { drillTimeline, type DrillOptions, type DrillResult } from './drill-options.js';

/** Options of `drkit drill webhook-outage`. */
export interface WebhookDrillOptions extends Omit<DrillOptions, 'seedUsers' | 'keep'> {
  /** Seconds the webhook route answers 503 while checkouts go on. @default 5 */
  readonly outageSeconds?: number;
  /** Checkouts per second. @default 4 */
  readonly checkoutsPerSecond?: number;
}

const SECRET = 'whsec_drkit_drill';

/**
 * The RB-N-06 game day on real servers: localstripe charges the sample app's checkouts and
 * delivers signed webhooks once each (no retry); the app's handler runs on PostgreSQL → the
 * webhook route answers 503 for N seconds while checkouts go on → the endpoint comes back →
 * RB-N-06 through the engine → measured from the app's tables and the provider: events
 * missed, replayed, applied twice (0), orders unreconciled after (0), and the time from the
 * endpoint coming back to reconciled.
 */
export async function runWebhookOutageDrill(o: WebhookDrillOptions): Promise<DrillResult> {
  const rate = o.checkoutsPerSecond ?? 4;
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', `webhook-outage-${stamp}`);
  mkdirSync(drillDir, { recursive: true });
  chmodSync(drillDir, 0o755); // the postgres user must traverse it
  const { events, spans, mark, phase } = drillTimeline(say);
  const mgr = new PgClusterManager({ labDir: path.join(drillDir, 'pg') });
  let ls: LocalstripeServer | undefined;
  let pool: pg.Pool | undefined;
  let server: http.Server | undefined;
  const stop = new AbortController();
  try {
    const world = await phase('start world', async () => {
      await mgr.create('app', { port: await freePort(), stanza: false });
      const p = (pool = new pg.Pool({ ...mgr.connectionConfig('app'), max: 6 }));
      await p.query(APP_SCHEMA_SQL);
      await p.query(PAYMENTS_SCHEMA_SQL);
      await p.query(`INSERT INTO users (email, name) VALUES ('buyer@example.test', 'Buyer')`);
      ls = await startLocalstripe();
      const payments = new StripePaymentEvents({
        apiKey: 'sk_test_drill',
        apiBase: ls.url,
        flavour: 'localstripe',
      });
      const app = createPaymentsServer({ pool: p, webhookSecret: async () => SECRET, payments });
      const port = await freePort();
      server = app.server;
      await new Promise<void>((r) => app.server.listen(port, '127.0.0.1', r));
      const url = `http://127.0.0.1:${port}`;
      await ls.addWebhook('app', `${url}/webhooks/stripe`, SECRET, [
        'payment_intent.succeeded',
        'payment_intent.payment_failed',
      ]);
      return { p, app, url, payments };
    });
    const { p, app, url, payments } = world;
    let checkouts = 0;
    let checkoutErrors = 0;
    const workload = (async () => {
      while (!stop.signal.aborted) {
        const r = await fetch(`${url}/checkout/pay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 1, amountCents: 1000 + (checkouts % 50) }),
        }).catch(() => undefined);
        if (r?.status === 201) checkouts++;
        else checkoutErrors++;
        await sleep(1000 / rate);
      }
    })();
    await sleep((o.warmupSeconds ?? 3) * 1000);
    app.setWebhookDown(true);
    const t0 = new Date();
    mark('T0', t0, 'the webhook route answers 503; checkouts go on');
    await sleep((o.outageSeconds ?? 5) * 1000);
    // localstripe delivers about a second after the event: the last ones of the outage too
    await sleep(1500);
    app.setWebhookDown(false);
    const back = new Date();
    mark('endpoint back', back);
    const missedAtBack = Number(
      (
        await p.query<{ n: string }>(
          `SELECT count(*) n FROM orders WHERE status = 'awaiting_payment'`,
        )
      ).rows[0]!.n,
    );
    const base = bindProvider('lab', o.config, o.baseDir);
    const provider = withPorts(base, {
      paymentEvents: () => payments,
      webhookEndpoint: () =>
        new HttpWebhookEndpoint({
          url: `${url}/webhooks/stripe`,
          secret: async () => SECRET,
          secretName: 'drkit/stripe-webhook',
        }),
      paymentLedger: () =>
        new PgPaymentLedger(async () => {
          const c = new pg.Client(mgr.connectionConfig('app'));
          await c.connect();
          return c;
        }),
      notifier: () => new LogNotifier(path.join(drillDir, 'notifications.jsonl')),
    });
    let res: ExecutionResult<WebhookReplayState> | undefined;
    let runbookError: string | undefined;
    try {
      res = await phase('RB-N-06', () =>
        runRunbook(
          webhookReplay,
          provider,
          // localstripe delivers a webhook about 1 s after its event: 3 s covers one in flight
          { ratePerSecond: '50', settleSeconds: '3' },
          { yes: true, ...(o.onEvent ? { onEvent: o.onEvent } : {}) },
        ),
      );
    } catch (err) {
      runbookError = (err as Error).message;
    } finally {
      base.close();
    }
    const reconciledAt = new Date();
    mark('reconciled', reconciledAt);
    await sleep((o.sustainSeconds ?? 2) * 1000);
    stop.abort();
    await workload;
    await sleep(1500); // the last live deliveries
    const endedAt = new Date();
    const one = async (sql: string, params: unknown[] = []) =>
      Number((await p.query<{ n: string }>(sql, params)).rows[0]!.n);
    const appliedTwice = await one(
      `SELECT count(*) n FROM (SELECT provider_ref FROM payments GROUP BY provider_ref HAVING count(*) > 1) x`,
    );
    const ordersPaidTwice = await one(
      `SELECT count(*) n FROM (SELECT order_id FROM payments GROUP BY order_id HAVING count(*) > 1) x`,
    );
    const replayed = await one(`SELECT count(*) n FROM webhook_events WHERE replayed`);
    const unpaidAfter = await one(
      `SELECT count(*) n FROM orders WHERE status = 'awaiting_payment' AND created_at < $1`,
      [reconciledAt],
    );
    const s = (res?.state ?? {}) as Partial<WebhookReplayState>;
    const unreconciled =
      (s.reconcile?.chargedNotPaid.length ?? 0) + (s.reconcile?.paidWithoutPayment.length ?? 0);
    const rto = (reconciledAt.getTime() - back.getTime()) / 1000;
    const achieved = {
      rtoSeconds: runbookError ? undefined : rto,
      rpoSeconds: unreconciled + unpaidAfter === 0 ? 0 : undefined,
      lostWrites: unreconciled + unpaidAfter,
      acknowledgedWrites: checkouts,
    };
    const targets = {
      rtoTargetMinutes: o.config.targets.rtoTargetMinutes,
      rpoTargetSeconds: o.config.targets.rpoTargetSeconds,
    };
    const passed =
      !runbookError && appliedTwice === 0 && ordersPaidTwice === 0 && achieved.lostWrites === 0;
    const report: DrillReport = {
      scenario: 'webhook-outage',
      drillId: path.basename(drillDir),
      title: 'RB-N-06 payment webhook outage → replay and reconcile',
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      outcome: passed ? 'passed' : 'failed',
      targets,
      achieved,
      ...judge(targets, achieved),
      events,
      spans,
      facts: {
        provider: 'localstripe 1.15.10 on loopback (webhooks tried once, never retried)',
        frontDoor:
          'checkouts and webhooks go to the app server directly (no HAProxy in this drill)',
        outageSeconds: o.outageSeconds ?? 5,
        checkouts,
        checkoutErrors,
        missed: app.stats.refusedWhileDown,
        notProcessedWhenListed: s.missed ?? null,
        ordersAwaitingPaymentWhenBack: missedAtBack,
        replayedApplied: s.applied ?? 0,
        // events not yet delivered when listed (localstripe waits ~1 s): the replay got there
        // first, the live delivery then found a duplicate
        replayedBeforeLiveDelivery: Math.max(0, (s.applied ?? 0) - app.stats.refusedWhileDown),
        replayedRecorded: replayed,
        appliedTwice: appliedTwice + ordersPaidTwice,
        unreconciledAfter: unreconciled,
        ordersStillUnpaid: unpaidAfter,
        deadLetters: s.deadLetters?.length ?? 0,
        runbook: runbookError
          ? `FAILED: ${runbookError}`
          : `rb-n-06 ${res?.summary?.outcome ?? '?'}`,
        startPoint: s.startReason ?? null,
        settle:
          'charges younger than 3 s when reconciled are checked again at 3 s (webhooks in flight)',
      },
      definitions: {
        rto: 'RB-N-06 reconciled with no difference − the endpoint coming back',
        rpo: 'orders left unreconciled (charged, not paid; or paid without a payment) after the runbook, counted exactly (0 s only when none)',
      },
      followUps: [
        'detection was declared by the drill: alert on webhook 5xx at the provider and on orders awaiting payment beyond a minute',
      ],
      ...(res ? { executionId: res.executionId } : {}),
    };
    const files = writeDrillReport(
      path.resolve(o.baseDir, o.reportsDir ?? o.config.reportsDir),
      report,
    );
    return { report, files, drillDir };
  } finally {
    stop.abort();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server!.close(r));
    }
    await pool?.end().catch(() => undefined);
    await ls?.stop();
    for (const c of mgr.list()) {
      if (mgr.isRunning(c.id)) await mgr.stop(c.id, 'immediate').catch(() => undefined);
    }
  }
}
