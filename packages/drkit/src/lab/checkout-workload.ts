import { PacedLoop } from './paced-loop.js';

/** One line of the checkout workload's log. */
export type CheckoutRecord =
  | {
      readonly type: 'ack';
      readonly seq: number;
      /** The order the app created (awaiting payment until its webhook is processed). */
      readonly orderId: string;
      /** The PaymentIntent at the provider. */
      readonly paymentId: string;
      readonly amountCents: number;
      /** When the app answered 201. */
      readonly at: string;
      readonly task?: string;
    }
  | {
      readonly type: 'fail';
      readonly seq: number;
      readonly at: string;
      readonly error: string;
      readonly task?: string;
    };

/** Options of {@link CheckoutWorkload}. */
export interface CheckoutWorkloadOptions {
  /** The front door's URL: each checkout is `POST /checkout/pay`. */
  readonly frontDoor: string;
  /** JSONL file the records go to. */
  readonly logFile: string;
  /** Checkouts per second. */
  readonly perSecond: number;
  /** Buyers are users 1..maxUserId, at random. */
  readonly maxUserId: number;
  /** Request timeout. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * The lab workload's checkouts, through the front door as a buyer's would go: the app creates
 * an order awaiting payment and a PaymentIntent at the provider, whose webhook later marks the
 * order paid. Every answer is logged (the webhook drill counts the acknowledged checkouts).
 */
export class CheckoutWorkload extends PacedLoop<CheckoutRecord> {
  private seq = 0;
  readonly stats = { acks: 0, fails: 0 };

  constructor(private readonly opts: CheckoutWorkloadOptions) {
    super(opts.perSecond, opts.logFile);
  }

  protected async once(): Promise<void> {
    const seq = ++this.seq;
    const userId = 1 + Math.floor(Math.random() * this.opts.maxUserId);
    const amountCents = 500 + ((seq * 37) % 5000);
    try {
      const r = await fetch(`${this.opts.frontDoor}/checkout/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: userId, amount_cents: amountCents }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      const body = (await r.json().catch(() => ({}))) as {
        orderId?: string;
        paymentId?: string;
        error?: string;
      };
      const task = r.headers.get('x-drkit-task') ?? undefined;
      const at = new Date().toISOString();
      if (r.status === 201 && body.orderId && body.paymentId) {
        this.stats.acks++;
        const { orderId, paymentId } = body;
        this.log({
          type: 'ack',
          seq,
          orderId,
          paymentId,
          amountCents,
          at,
          ...(task ? { task } : {}),
        });
      } else {
        this.stats.fails++;
        const error = `HTTP ${r.status} ${body.error ?? ''}`.trim().slice(0, 200);
        this.log({ type: 'fail', seq, at, error, ...(task ? { task } : {}) });
      }
    } catch (err) {
      this.stats.fails++;
      const error = (err as Error).message.slice(0, 200);
      this.log({ type: 'fail', seq, at: new Date().toISOString(), error });
    }
  }
}
