import { sleep } from './net.js';

/** A warm-up schedule of a newly active email provider (the seeds' "warm-up rate"). */
export interface WarmupSchedule {
  /** When the provider became active (ISO-8601). */
  readonly startedAt: string;
  /** Messages per minute in each stage; the last one holds after the schedule ends. */
  readonly perMinute: readonly number[];
  /** Length of each stage. */
  readonly stageSeconds: number;
}

/** The allowed rate (messages per minute) at `now`. */
export function warmupRate(w: WarmupSchedule, now: Date = new Date()): number {
  const elapsed = Math.max(0, now.getTime() - Date.parse(w.startedAt)) / 1000;
  const stage = Math.min(Math.floor(elapsed / w.stageSeconds), w.perMinute.length - 1);
  return w.perMinute[stage]!;
}

/**
 * Paces sends to the schedule: each `wait()` returns when the next message may go, spacing
 * messages by 60 s / the current stage's rate (no bursts: reputation systems watch spikes).
 */
export class WarmupPacer {
  private next = 0;

  constructor(private readonly schedule: WarmupSchedule) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    if (this.next > now) await sleep(this.next - now);
    signal?.throwIfAborted();
    const t = Math.max(Date.now(), this.next);
    this.next = t + 60_000 / warmupRate(this.schedule, new Date(t));
  }
}

/**
 * A pacer whose slots come from a shared reservation (the outbox's `reserveSlot`): every
 * sender using the same reservation keeps to one schedule together.
 */
export class SharedWarmupPacer {
  constructor(
    private readonly schedule: WarmupSchedule,
    private readonly reserve: (perMinute: number) => Promise<Date>,
  ) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const at = await this.reserve(warmupRate(this.schedule));
    const ms = at.getTime() - Date.now();
    if (ms > 0) await sleep(ms);
    signal?.throwIfAborted();
  }
}
