/**
 * The app's side of payments, read-only: which provider event it processed last, which events
 * it processed, its paid orders and its dead letters. RB-N-06 starts the replay from the last
 * processed event and reconciles the paid orders with the provider's payments.
 *
 * Contract: reads only; `lastProcessed` is the newest by (`created`, id) the handler recorded.
 */
export interface PaymentLedger {
  readonly kind: string;
  lastProcessed(): Promise<{ readonly id: string; readonly created: number } | undefined>;
  /** The ids among `ids` the handler has processed (applied or dead-lettered). */
  processed(ids: readonly string[]): Promise<Set<string>>;
  /** Orders created since `since` (Unix seconds) that are paid, with the payment they name. */
  paidOrders(since: number): Promise<PaidOrder[]>;
  /** Order ids created since `since` and still awaiting payment. */
  unpaidOrders(since: number): Promise<string[]>;
  /** When the oldest order still awaiting payment was created (Unix seconds): a missed event starts no later. */
  oldestUnpaid(): Promise<number | undefined>;
  deadLetters(): Promise<DeadLetter[]>;
}

export interface PaidOrder {
  readonly orderId: string;
  /** The provider payment it was paid by; undefined when no payment is recorded. */
  readonly paymentRef: string | undefined;
  readonly amountCents: number;
  /** When the order was created (Unix seconds). */
  readonly created: number;
}

export interface DeadLetter {
  readonly eventId: string;
  readonly type: string;
  readonly reason: string;
  readonly replayed: boolean;
  readonly at: Date;
}
