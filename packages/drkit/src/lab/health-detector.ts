import { probeHealth } from '../adapters/lab-compute/index.js';

/** Options of {@link HealthDetector}. */
export interface HealthDetectorOptions {
  /** `host:port` of every endpoint of the watched region (its app tasks). */
  readonly targets: readonly string[];
  /** Milliseconds between probe rounds (Route 53: `RequestInterval`, 10 or 30 s). */
  readonly intervalMs: number;
  /** Consecutive failed rounds that declare the incident (Route 53: `FailureThreshold`). */
  readonly failureThreshold: number;
  /** A probe slower than this fails. */
  readonly timeoutMs: number;
}

/** What the detector saw when it declared. */
export interface Incident {
  readonly declaredAt: Date;
  /** Start of the first of the failed rounds. */
  readonly firstFailureAt: Date;
  readonly failedRounds: number;
}

/**
 * The orchestrator's health detector: probes a region's endpoints the way Route 53 health
 * checks do (`GET /healthz` every interval; a round fails when no endpoint answers 200) and
 * declares the incident after `failureThreshold` consecutive failed rounds — detection takes
 * between (threshold − 1) and threshold intervals after the fault.
 */
export class HealthDetector {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private firstFailure: Date | undefined;
  private resolve!: (i: Incident) => void;
  /** Resolves once, when the incident is declared. */
  readonly incident: Promise<Incident>;

  constructor(private readonly o: HealthDetectorOptions) {
    this.incident = new Promise((r) => (this.resolve = r));
  }

  /** One probe round: true when some endpoint is healthy. */
  async probe(): Promise<boolean> {
    const codes = await Promise.all(this.o.targets.map((t) => probeHealth(t, this.o.timeoutMs)));
    return codes.some((c) => c === 200);
  }

  start(): void {
    const round = async () => {
      const startedAt = new Date();
      const ok = await this.probe();
      if (this.timer === undefined) return;
      if (ok) {
        this.failures = 0;
        this.firstFailure = undefined;
      } else {
        this.failures++;
        this.firstFailure ??= startedAt;
        if (this.failures >= this.o.failureThreshold) {
          this.stop();
          this.resolve({
            declaredAt: new Date(),
            firstFailureAt: this.firstFailure,
            failedRounds: this.failures,
          });
          return;
        }
      }
      this.timer = setTimeout(
        () => void round(),
        Math.max(0, this.o.intervalMs - (Date.now() - startedAt.getTime())),
      );
    };
    this.timer = setTimeout(() => void round(), 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
