import type { Step } from '../../../engine/step.js';
import { notifyStep } from '../../shared/steps/notify.js';
import type { WebhookReplayDeps, WebhookReplayState } from '../context.js';

/** Step 6: the outcome, naming every unreconciled payment or order and every dead letter. */
export function notifyOutcome(deps: WebhookReplayDeps): Step<WebhookReplayState> {
  return notifyStep<WebhookReplayState>(deps.notifier, {
    title: 'Notify the outcome',
    retry: { attempts: 3 },
    message: ({ state: s }) => {
      const r = s.reconcile;
      const diffs = (r?.chargedNotPaid.length ?? 0) + (r?.paidWithoutPayment.length ?? 0);
      return {
        subject: `RB-N-06 webhook replay: ${s.applied ?? 0} applied, ${diffs} unreconciled`,
        body: [
          s.mode === 'replay'
            ? `Replayed from ${s.startReason ?? 'the start point'}: ${s.listed ?? 0} listed, ${s.missed ?? 0} missed, ${s.applied ?? 0} applied, ${s.duplicates ?? 0} duplicates, ${s.deadLettered ?? 0} dead-lettered.`
            : 'Reconciliation only (no replay).',
          ...(r?.chargedNotPaid ?? []).map(
            (d) =>
              `Charged, order not paid: payment ${d.paymentId} (order ${d.orderId ?? 'none'}).`,
          ),
          ...(r?.paidWithoutPayment ?? []).map(
            (d) =>
              `Paid order without a succeeded payment: order ${d.orderId} (payment ${d.paymentRef ?? 'none'}).`,
          ),
          `${s.deadLetters?.length ?? 0} events in the dead-letter table.`,
        ].join('\n'),
        severity: diffs || s.deadLetters?.length ? 'warning' : 'info',
      };
    },
  });
}
