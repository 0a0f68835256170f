import { warmupRate, type WarmupSchedule } from '../util/warmup.js';

/** One delivery a provider holds: which message, when it arrived. */
export interface Delivery {
  readonly messageId: string;
  readonly provider: string;
  readonly at: Date;
}

/** What the email drill measures from the providers' own records. */
export interface EmailLoss {
  /** Critical messages the app queued. */
  readonly critical: number;
  /** Queued critical messages neither provider holds. */
  readonly lost: string[];
  /** Messages some provider holds more than once, or both hold. */
  readonly twice: string[];
  /** The first delivery through `provider` at or after `t0`. */
  readonly firstVia: Date | undefined;
}

/** Counts lost and duplicated critical messages by Message-ID, from both providers' records. */
export function measureEmailLoss(
  critical: readonly string[],
  deliveries: readonly Delivery[],
  secondary: string,
  t0: Date,
): EmailLoss {
  const held = new Map<string, number>();
  for (const d of deliveries) held.set(d.messageId, (held.get(d.messageId) ?? 0) + 1);
  const via = deliveries
    .filter((d) => d.provider === secondary && d.at.getTime() >= t0.getTime())
    .map((d) => d.at.getTime());
  return {
    critical: critical.length,
    lost: critical.filter((id) => !held.has(id)),
    twice: [...held].filter(([, n]) => n > 1).map(([id]) => id),
    firstVia: via.length ? new Date(Math.min(...via)) : undefined,
  };
}

/** The sending rate through a provider against the warm-up schedule, per `windowSeconds`. */
export interface RateCheck {
  /** The highest observed rate, messages per minute, over any window. */
  readonly peakPerMinute: number;
  /** The schedule's rate at that window's end. */
  readonly allowedPerMinute: number;
  /** Windows whose rate exceeded the schedule by more than `slack` messages. */
  readonly overWindows: number;
}

/**
 * Slides a window over the delivery times through the new provider and compares each window's
 * count with what the schedule allows in it (rate × window, plus `slack` for edges).
 */
export function checkWarmup(
  times: readonly Date[],
  schedule: WarmupSchedule,
  windowSeconds = 10,
  slack = 1,
): RateCheck {
  const ts = times.map((t) => t.getTime()).sort((a, b) => a - b);
  let peak = 0;
  let allowedAtPeak = warmupRate(schedule, ts.length ? new Date(ts[0]!) : new Date());
  let over = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[i]! - ts[j]! > windowSeconds * 1000) j++;
    const n = i - j + 1;
    const perMinute = (n * 60) / windowSeconds;
    const allowed = warmupRate(schedule, new Date(ts[i]!));
    if (n > (allowed * windowSeconds) / 60 + slack) over++;
    if (perMinute > peak) {
      peak = perMinute;
      allowedAtPeak = allowed;
    }
  }
  return { peakPerMinute: peak, allowedPerMinute: allowedAtPeak, overWindows: over };
}
