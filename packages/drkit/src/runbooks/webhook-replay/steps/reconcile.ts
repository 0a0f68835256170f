import type { Step } from '../../../engine/step.js';
import {
  computeStart,
  iso,
  type Reconciliation,
  type WebhookReplayDeps,
  type WebhookReplayState,
} from '../context.js';

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
    async run({ state: s }) {
      const start = s.start ?? (await computeStart(deps, s)).start!;
      const payments = (await deps.events.listPayments({ since: start })).filter(
        (p) => p.status === 'succeeded',
      );
      const paid = await deps.ledger.paidOrders(start);
      const paidIds = new Set(paid.map((o) => o.orderId));
      const succeeded = new Set(payments.map((p) => p.id));
      const r: Reconciliation = {
        providerSucceeded: payments.length,
        paidOrders: paid.length,
        chargedNotPaid: payments
          .filter((p) => !p.orderId || !paidIds.has(p.orderId))
          .map((p) => ({ paymentId: p.id, orderId: p.orderId })),
        paidWithoutPayment: paid
          .filter((o) => !o.paymentRef || !succeeded.has(o.paymentRef))
          .map((o) => ({ orderId: o.orderId, paymentRef: o.paymentRef })),
      };
      const dl = await deps.ledger.deadLetters();
      return {
        start,
        reconcile: r,
        deadLetters: dl.map((d) => ({ eventId: d.eventId, type: d.type, reason: d.reason })),
        startReason: s.startReason ?? `reconciled from ${iso(start)}`,
      };
    },
  };
}
