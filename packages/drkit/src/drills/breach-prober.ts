import { sleep } from '../util/net.js';

/** One request of the prober: what it asked, when it sent it, what came back. */
export interface Probe {
  readonly path: string;
  /** Epoch ms the request was sent. */
  readonly sentAt: number;
  /** Epoch ms the answer (or the error) came back. */
  readonly at: number;
  /** HTTP status; undefined when nothing answered. */
  readonly status: number | undefined;
  /** The front door's isolation answered it (its `X-Drkit-Isolated` header). */
  readonly isolated: boolean;
}

/**
 * The breach drill's own client of the front door: it asks each path on its own clock and
 * keeps every answer, so the drill's figures (when the API stopped and started answering,
 * whether health kept answering) are counted from what a client saw, not from what the
 * runbook says it did.
 */
export class FrontDoorProber {
  readonly probes: Probe[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly base: string,
    private readonly paths: ReadonlyArray<{ readonly path: string; readonly everyMs: number }>,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.paths.map((p) => this.loop(p.path, p.everyMs));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(path: string, everyMs: number): Promise<void> {
    while (this.running) {
      const sentAt = Date.now();
      let status: number | undefined;
      let isolated = false;
      try {
        const r = await fetch(`${this.base}${path}`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        status = r.status;
        isolated = r.headers.get('x-drkit-isolated') === '1';
      } catch {
        status = undefined;
      }
      this.probes.push({ path, sentAt, at: Date.now(), status, isolated });
      await sleep(Math.max(0, everyMs - (Date.now() - sentAt)));
    }
  }
}

/** A probe the API refused (503/429): what isolation looks like to a client. */
export const refused = (p: Probe): boolean => p.status === 503 || p.status === 429;
/** A probe the API served (2xx). */
export const served = (p: Probe): boolean => p.status !== undefined && p.status < 300;

/** What the probes say about the isolation and the way back. */
export interface IsolationFigures {
  /** Send time of the first refused API probe after the last one not refused (from T0 on). */
  readonly isolatedAt: Date | undefined;
  /**
   * API probes sent after the runbook said the API was isolated (its isolate-api step ended)
   * and before the way back started that were NOT refused (must be 0).
   */
  readonly servedWhileIsolated: number;
  /** API probes refused in that window. */
  readonly refusedWhileIsolated: number;
  /** Send time of the first served API probe after which none was refused (from `backFrom` on). */
  readonly accessRestoredAt: Date | undefined;
  /** Health probes sent while the API was isolated, and those not answered 200. */
  readonly healthProbes: number;
  readonly healthFailed: number;
  /** Status-page probes the isolation refused (it must let them through). */
  readonly statusRefusedByIsolation: number;
  readonly statusProbes: number;
}

/**
 * Reads the figures from the probes. `t0`: the breach declared; `claimedAt`: the runbook's
 * isolate-api step ended; `backFrom`: the way back started (restore-access). The isolation instant is taken late (the first refusal after the
 * last answer that was not one), never at the runbook's own timestamp.
 */
export function isolationFigures(
  probes: readonly Probe[],
  api: string,
  health: string,
  status: string,
  t0: Date,
  claimedAt: Date,
  backFrom: Date,
): IsolationFigures {
  const from = t0.getTime();
  const back = backFrom.getTime();
  const apiProbes = probes.filter((p) => p.path === api).sort((a, b) => a.sentAt - b.sentAt);
  const during = apiProbes.filter((p) => p.sentAt >= from && p.sentAt < back);
  let lastOpen = -1;
  during.forEach((p, i) => {
    if (!refused(p)) lastOpen = i;
  });
  const firstShut = during[lastOpen + 1];
  const isolatedAt = firstShut && refused(firstShut) ? new Date(firstShut.sentAt) : undefined;
  const shut = during.filter((p) => p.sentAt >= claimedAt.getTime());
  const after = apiProbes.filter((p) => p.sentAt >= back);
  let lastRefused = -1;
  after.forEach((p, i) => {
    if (!served(p)) lastRefused = i;
  });
  const firstBack = after[lastRefused + 1];
  const accessRestoredAt = firstBack ? new Date(firstBack.sentAt) : undefined;
  const inIsolation = (p: Probe) =>
    isolatedAt !== undefined &&
    p.sentAt >= isolatedAt.getTime() &&
    p.sentAt < (accessRestoredAt?.getTime() ?? Number.MAX_SAFE_INTEGER);
  const h = probes.filter((p) => p.path === health && inIsolation(p));
  const st = probes.filter((p) => p.path === status && inIsolation(p));
  return {
    isolatedAt,
    servedWhileIsolated: shut.filter((p) => !refused(p)).length,
    refusedWhileIsolated: shut.filter(refused).length,
    accessRestoredAt,
    healthProbes: h.length,
    healthFailed: h.filter((p) => p.status !== 200).length,
    statusProbes: st.length,
    statusRefusedByIsolation: st.filter((p) => p.isolated).length,
  };
}
