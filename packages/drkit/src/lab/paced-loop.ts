import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * A client loop at a steady rate, logging one JSON line per answer: the lab's workloads (orders,
 * people changes, checkouts). `once` runs one request; after an outage the loop does not burst
 * to catch up (a real client would not either).
 */
export abstract class PacedLoop<R> {
  private running = false;
  private loop: Promise<void> | undefined;

  protected constructor(
    private readonly perSecond: number,
    private readonly logFile: string,
  ) {
    mkdirSync(path.dirname(logFile), { recursive: true });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the request in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One request and its log line. */
  protected abstract once(): Promise<void>;

  protected log(rec: R): void {
    appendFileSync(this.logFile, JSON.stringify(rec) + '\n');
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.perSecond;
    let next = Date.now();
    while (this.running) {
      await this.once();
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -1000) next = Date.now(); // fell behind (an outage): no burst afterwards
    }
  }
}
