import type { IncidentDesk } from '../ports/incidents.js';

/**
 * Evaluates `desk.escalateDue()` every `intervalMs` until stopped: a running runbook's process
 * and `drkit incident watch` both run one. A failed evaluation is reported and the loop goes on.
 */
export function startEscalationWatch(
  desk: IncidentDesk,
  intervalMs: number,
  opts: {
    readonly onError?: (err: unknown) => void;
    readonly onEscalated?: (ids: string[]) => void;
  } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const done = await desk.escalateDue();
      if (done.length) opts.onEscalated?.(done.map((i) => i.id));
    } catch (err) {
      opts.onError?.(err);
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(tick);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
