import type { Step } from '../../../engine/step.js';
import { computeStart, iso, type WebhookReplayDeps, type WebhookReplayState } from '../context.js';

/**
 * Step 5 (seed: "reconcile orders/payouts; inspect DLQ"): every succeeded payment at the
 * provider has a paid order and every paid order a succeeded payment, since the start point;
 * every difference is listed, and the dead-letter table with it. Read-only.
 */
export function reconcile(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return {
    id: 'reconcile',
    title: 'Reconcile provider payments with paid orders; inspect the dead letters',
    retry: { attempts: 3 },
    plan: ({ state: s }) => [
      ...deps.events.planListPayments({ since: s.start ?? 0 }),
      `read the app's paid orders and its dead-letter table (${deps.ledger.kind}); compare (read-only)`,
    ],
    async run({ state: s, signal, progress }) {
      const start = s.start ?? (await computeStart(deps, s)).start!;
      // payments created after this are not compared: checkouts go on while we reconcile
      const until = Math.floor(Date.now() / 1000);
      let r = await compare(deps, start, until);
      // a charge younger than settleSeconds may have its webhook in flight: look again then
      const now = Date.now() / 1000;
      const young = r.chargedNotPaid.filter((d) => d.created > now - s.settleSeconds);
      if (young.length) {
        const wait = Math.max(...young.map((d) => d.created + s.settleSeconds - now));
        progress(
          `${young.length} recent charges may have webhooks in flight: checking again in ${Math.ceil(wait)} s`,
        );
        await sleep(wait * 1000, signal);
        r = await compare(deps, start, until);
      }
      const dl = await deps.ledger.deadLetters();
      return {
        start,
        reconcile: {
          ...r,
          chargedNotPaid: r.chargedNotPaid.map(({ paymentId, orderId }) => ({
            paymentId,
            orderId,
          })),
        },
        deadLetters: dl.map((d) => ({ eventId: d.eventId, type: d.type, reason: d.reason })),
        startReason: s.startReason ?? `reconciled from ${iso(start)}`,
      };
    },
  };
}

/**
 * Payments created up to `until` against every paid order, and orders created up to `until`
 * against every payment: what happens after `until` (checkouts go on) is not a difference yet.
 */
async function compare(deps: WebhookReplayDeps, start: number, until: number) {
  const payments = (await deps.events.listPayments({ since: start })).filter(
    (p) => p.status === 'succeeded',
  );
  const paid = await deps.ledger.paidOrders(start);
  const paidIds = new Set(paid.map((o) => o.orderId));
  const succeeded = new Set(payments.map((p) => p.id));
  return {
    providerSucceeded: payments.length,
    paidOrders: paid.length,
    chargedNotPaid: payments
      .filter((p) => p.created <= until && (!p.orderId || !paidIds.has(p.orderId)))
      .map((p) => ({ paymentId: p.id, orderId: p.orderId, created: p.created })),
    paidWithoutPayment: paid
      .filter((o) => o.created <= until && (!o.paymentRef || !succeeded.has(o.paymentRef)))
      .map((o) => ({ orderId: o.orderId, paymentRef: o.paymentRef })),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });
}
