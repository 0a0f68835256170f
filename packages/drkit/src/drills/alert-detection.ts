import { PreconditionError } from '../engine/errors.js';
import { readReceivedAlerts } from '../lab/alert-receiver.js';
import type { LabAlerting } from '../lab/alerting.js';
import { sleep, waitFor } from '../util/net.js';

/** An alert as the drill saw it arrive: when Prometheus fired it, when drkit received it. */
export interface AlertDetection {
  readonly alertname: string;
  readonly cluster: string;
  /** The alert's `startsAt`: Prometheus' rule held for its `for` duration. */
  readonly firedAt: Date;
  /** When Alertmanager's delivery reached drkit's receiver (which notified). */
  readonly receivedAt: Date;
}

/**
 * Waits until Prometheus has scraped drkit and sees the cluster as an answering primary
 * (`drkit_primary_up == 1`), so a fault injected next is seen as a change, not as the first
 * sample.
 */
export async function awaitPrimaryUpInPrometheus(
  alerting: LabAlerting,
  cluster: string,
  timeoutMs = 60_000,
): Promise<void> {
  await awaitSeriesInPrometheus(alerting, `drkit_primary_up{cluster="${cluster}"} == 1`, timeoutMs);
}

/** Waits until Prometheus has at least one series for `query` (a PromQL selector). */
export async function awaitSeriesInPrometheus(
  alerting: LabAlerting,
  query: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    async () => {
      const r = await fetch(
        `http://127.0.0.1:${alerting.prometheusPort}/api/v1/query?query=${encodeURIComponent(query)}`,
        { signal: AbortSignal.timeout(2000) },
      ).catch(() => undefined);
      if (!r?.ok) return false;
      return ((await r.json()) as { data: { result: unknown[] } }).data.result.length > 0;
    },
    { timeoutMs, intervalMs: 250, what: `Prometheus to hold ${query}` },
  );
}

/**
 * Waits for `alertname` firing for `cluster` with a `startsAt` after `after` in the receiver's
 * record (Prometheus → Alertmanager → drkit's receiver, the whole path).
 * @throws PreconditionError when it has not arrived within `timeoutMs`
 */
export async function waitForAlert(
  alerting: LabAlerting,
  opts: { alertname: string; cluster: string; after: Date; timeoutMs?: number },
): Promise<AlertDetection> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = readReceivedAlerts(alerting.alertsFile).find(
      (a) =>
        a.alertname === opts.alertname &&
        a.status === 'firing' &&
        a.labels.cluster === opts.cluster &&
        Date.parse(a.startsAt) >= opts.after.getTime(),
    );
    if (hit)
      return {
        alertname: hit.alertname,
        cluster: opts.cluster,
        firedAt: new Date(hit.startsAt),
        receivedAt: new Date(hit.receivedAt),
      };
    if (Date.now() > deadline)
      throw new PreconditionError(
        `${opts.alertname}(${opts.cluster}) did not reach drkit's alert receiver within ${timeoutMs / 1000} s`,
        {
          hint: `see ${alerting.alertsFile} and the prometheus/alertmanager logs beside it; Prometheus: http://127.0.0.1:${alerting.prometheusPort}/alerts`,
        },
      );
    await sleep(50);
  }
}
