import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DrkitConfig } from '../config/schema.js';
import { UsageError } from '../engine/errors.js';
import type { ExecutionResult } from '../engine/executor.js';
import type { CheckoutRecord } from '../lab/checkout-workload.js';
import { labDown } from '../lab/lab-down.js';
import { APP_DATABASE, REGION_A_PRIMARY } from '../lab/lab.js';
import { labUpPayments } from '../lab/payments-lab.js';
import { labProvider } from '../lab/provider.js';
import { labUpRegions } from '../lab/regions.js';
import { startWorkloadProcess, type WorkloadProcess } from '../lab/workload-process.js';
import { bindProvider } from '../providers/index.js';
import { judge, type DrillReport } from '../report/drill-report.js';
import { runRunbook } from '../runbooks/run.js';
import { webhookReplay, type WebhookReplayState } from '../runbooks/webhook-replay/index.js';
import { sleep } from '../util/net.js';
import { claimDrillDir, releaseDrillDir } from './drill-owner.js';
import {
  drillResult,
  drillTimeline,
  type DrillOptions,
  type DrillResult,
} from './drill-options.js';

/** Options of `drkit drill webhook-outage`. */
export interface WebhookDrillOptions extends Omit<DrillOptions, 'seedUsers'> {
  /** Seconds the front door answers 503 to webhook deliveries while checkouts go on. @default 5 */
  readonly outageSeconds?: number;
  /** Checkouts per second, through the front door. @default 4 */
  readonly checkoutsPerSecond?: number;
}

/** Checkouts acknowledged (201) in the workload's checkout log. */
function ackedCheckouts(file: string): { acked: number; failed: number } {
  let acked = 0;
  let failed = 0;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { acked, failed };
  }
  for (const l of text.split('\n')) {
    if (!l) continue;
    const r = JSON.parse(l) as CheckoutRecord;
    if (r.type === 'ack') acked++;
    else failed++;
  }
  return { acked, failed };
}

/**
 * The RB-N-06 game day on the lab: `lab up` (one region, no standby) with `--payments` —
 * localstripe charges the app's checkouts and delivers signed webhooks once each (no retry)
 * to the front door's `/webhooks/stripe` → the workload checks out through the front door →
 * at T0 the front door's webhooks backend goes into maintenance (HAProxy answers 503 to every
 * delivery; checkouts go on) for N seconds, then back → RB-N-06 through the lab provider →
 * measured from the app's tables, the provider and HAProxy's counters: events missed,
 * replayed, applied twice (0), orders unreconciled after (0), and the time from the endpoint
 * coming back to reconciled.
 */
export async function runWebhookOutageDrill(o: WebhookDrillOptions): Promise<DrillResult> {
  const rate = o.checkoutsPerSecond ?? 4;
  const outage = o.outageSeconds ?? 5;
  if (!(rate > 0 && rate <= 50)) throw new UsageError(`--rate ${rate}: give 1..50 per second`);
  if (!(outage >= 1 && outage <= 600))
    throw new UsageError(`--outage ${outage}: give 1..600 seconds`);
  const say = o.progress ?? (() => undefined);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  // short: HAProxy's runtime socket path below it must stay under 97 characters
  const drillDir = path.resolve(o.baseDir, o.config.stateDir, 'drills', `webhook-${stamp}`);
  mkdirSync(drillDir, { recursive: true });
  claimDrillDir(drillDir); // a killed drill's servers are reaped by the next `lab up|down`
  // the lab's own localstripe and front door, whatever the config names: no apiBase, no webhookUrl
  const payments = { ...o.config.payments, apiBase: undefined, webhookUrl: undefined };
  const config: DrkitConfig = {
    ...o.config,
    stateDir: drillDir,
    payments,
    lab: {
      ...o.config.lab,
      // no seeded orders: every paid order of this lab went through the provider
      seed: { ...o.config.lab.seed, users: 50, ordersPerUser: 0, paymentsPerOrder: 0 },
      regions: { ...o.config.lab.regions, standby: false, appTasksA: 1, appTasksB: 1 },
    },
  };
  const p = labProvider(config, o.baseDir);
  const { events, spans, mark, phase } = drillTimeline(say);
  let workload: WorkloadProcess | undefined;
  const checkoutLog = path.join(drillDir, 'checkouts.jsonl');
  try {
    const { regions } = await phase('lab up (1 region, no standby)', () =>
      labUpRegions(p, config, { progress: say }),
    );
    const router = regions.router;
    const lab = await phase('payments up: localstripe, webhook to the front door', () =>
      labUpPayments(p, config, { progress: say }),
    );
    workload = await startWorkloadProcess({
      frontDoor: router.url,
      logFile: path.join(drillDir, 'workload.jsonl'),
      rate: 1,
      maxUserId: 50,
      checkouts: { rate, logFile: checkoutLog },
    });
    // the app tasks re-read their config every 200 ms: wait for a first acknowledged checkout
    for (let i = 0; i < 100 && ackedCheckouts(checkoutLog).acked === 0; i++) await sleep(100);
    mark('workload started', new Date(), `${rate} checkouts/s through ${router.url}`);
    await sleep((o.warmupSeconds ?? 3) * 1000);
    const before = await router.webhookResponses();
    await router.setWebhooksDown(true);
    const t0 = new Date();
    mark('T0', t0, `the front door's webhooks backend in maintenance (503); checkouts go on`);
    await sleep(outage * 1000);
    // localstripe delivers about a second after the event: the last ones of the outage too
    await sleep(1500);
    await router.setWebhooksDown(false);
    const back = new Date();
    mark('endpoint back', back);
    const after = await router.webhookResponses();
    const missed = after['5xx'] - before['5xx'];
    const appDb = new pg.Client(p.clusters.connectionConfig(REGION_A_PRIMARY, APP_DATABASE));
    await appDb.connect();
    try {
      const one = async (sql: string, params: unknown[] = []) =>
        Number((await appDb.query<{ n: string }>(sql, params)).rows[0]!.n);
      const missedAtBack = await one(
        `SELECT count(*) n FROM orders WHERE status = 'awaiting_payment'`,
      );
      // RB-N-06 as an operator runs it on this lab: the lab provider binds localstripe, the
      // front door's webhook URL and secret, the app's ledger and the log notifier
      const provider = bindProvider('lab', config, o.baseDir);
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
        provider.close();
      }
      const reconciledAt = new Date();
      mark('reconciled', reconciledAt);
      await sleep((o.sustainSeconds ?? 2) * 1000);
      await workload.stop();
      workload = undefined;
      await sleep(1500); // the last live deliveries
      const endedAt = new Date();
      const { acked, failed } = ackedCheckouts(checkoutLog);
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
        acknowledgedWrites: acked,
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
          provider: `localstripe 1.15.10 on ${lab.apiBase} (webhooks tried once, never retried)`,
          frontDoor: `HAProxy ${router.url}: checkouts to backend app, deliveries to ${lab.webhookUrl} through backend webhooks (in maintenance during the outage)`,
          world: 'lab up --payments, 1 region (1 app task + 1 backup), no standby',
          outageSeconds: outage,
          checkoutsPerSecond: rate,
          checkouts: acked,
          checkoutErrors: failed,
          missed,
          notProcessedWhenListed: s.missed ?? null,
          ordersAwaitingPaymentWhenBack: missedAtBack,
          replayedApplied: s.applied ?? 0,
          // events not yet delivered when listed (localstripe waits ~1 s): the replay got there
          // first, the live delivery then found a duplicate
          replayedBeforeLiveDelivery: Math.max(0, (s.applied ?? 0) - missed),
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
          missedCountedBy: "HAProxy's 5xx responses of the webhooks backend during the outage",
        },
        definitions: {
          rto: 'RB-N-06 reconciled with no difference − the endpoint coming back',
          rpo: 'orders left unreconciled (charged, not paid; or paid without a payment) after the runbook, counted exactly (0 s only when none)',
        },
        followUps: [
          'detection was declared by the drill: alert on webhook 5xx at the provider and at the front door, and on orders awaiting payment beyond a minute',
        ],
        ...(res ? { executionId: res.executionId } : {}),
      };
      return drillResult(o, report, drillDir);
    } finally {
      await appDb.end().catch(() => undefined);
    }
  } finally {
    await workload?.stop();
    if (!o.keep) await labDown(p, { destroy: true }).catch(() => undefined);
    releaseDrillDir(drillDir);
  }
}
