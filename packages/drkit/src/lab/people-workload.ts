import { PacedLoop } from './paced-loop.js';

/** One line of the people workload's log. */
export type PeopleRecord =
  | {
      readonly type: 'ack';
      readonly seq: number;
      /** The person changed. */
      readonly id: string;
      /** When the app answered 200 (the row committed). */
      readonly at: string;
      /** What the app's index write did: `upserted`, `failed: …`, or `none` (no search). */
      readonly index: string;
      readonly task?: string;
    }
  | {
      readonly type: 'fail';
      readonly seq: number;
      readonly id: string;
      readonly at: string;
      readonly error: string;
      readonly task?: string;
    };

/** Options of {@link PeopleWorkload}. */
export interface PeopleWorkloadOptions {
  /** The front door's URL: each change is `POST /people/:id`. */
  readonly frontDoor: string;
  /** JSONL file the records go to. */
  readonly logFile: string;
  /** Changes per second. */
  readonly perSecond: number;
  /** People ids 1..maxPersonId are changed, at random. */
  readonly maxPersonId: number;
  /** Request timeout. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * The lab workload's changes to people, through the front door as a user's profile edit would
 * go: the app commits the row, then upserts its search document through the alias. Every
 * answer is logged (the search drill counts the changes made while it ran).
 */
export class PeopleWorkload extends PacedLoop<PeopleRecord> {
  private seq = 0;
  readonly stats = { acks: 0, fails: 0, indexFailed: 0 };

  constructor(private readonly opts: PeopleWorkloadOptions) {
    super(opts.perSecond, opts.logFile);
  }

  protected async once(): Promise<void> {
    const seq = ++this.seq;
    const id = String(1 + Math.floor(Math.random() * this.opts.maxPersonId));
    try {
      const r = await fetch(`${this.opts.frontDoor}/people/${id}`, {
        method: 'POST',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000),
      });
      const body = (await r.json().catch(() => ({}))) as { index?: string; error?: string };
      const task = r.headers.get('x-drkit-task') ?? undefined;
      const at = new Date().toISOString();
      if (r.status === 200) {
        this.stats.acks++;
        const index = body.index ?? '?';
        if (index.startsWith('failed')) this.stats.indexFailed++;
        this.log({ type: 'ack', seq, id, at, index, ...(task ? { task } : {}) });
      } else {
        this.stats.fails++;
        const error = `HTTP ${r.status} ${body.error ?? ''}`.trim().slice(0, 200);
        this.log({ type: 'fail', seq, id, at, error, ...(task ? { task } : {}) });
      }
    } catch (err) {
      this.stats.fails++;
      const error = (err as Error).message.slice(0, 200);
      this.log({ type: 'fail', seq, id, at: new Date().toISOString(), error });
    }
  }
}
