import { beforeAll, describe, expect } from 'vitest';
import { OutOfWindowError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { PaymentEvents } from './payment-events.js';

/** The cases of the {@link PaymentEvents} contract, by id (the keys of a reasoned skip). */
export type PaymentEventsCase =
  'every-page-once-oldest-first' | 'types' | 'retention' | 'payments' | 'create-idempotent';

/**
 * The {@link PaymentEvents} contract (see `payment-events.ts`): listing follows every page,
 * returns each event once and oldest first whatever the provider's order; a start beyond the
 * retention is an `OutOfWindowError` before any call; payments carry the app's order id.
 * Call it at the top level of a test file; `world` runs once, in the suite's `beforeAll`.
 */
export function paymentEventsContract(
  backend: string,
  world: () => PaymentEvents | Promise<PaymentEvents>,
  opts: { readonly skip?: ContractSkips<PaymentEventsCase> } = {},
): void {
  describe(`PaymentEvents contract: ${backend}`, () => {
    let p: PaymentEvents;
    let since: number;
    const made: string[] = [];
    beforeAll(async () => {
      p = await world();
      since = Math.floor(Date.now() / 1000) - 1;
      for (let i = 0; i < 5; i++) {
        const pay = await p.createPayment({
          amountCents: 1000 + i,
          currency: 'eur',
          orderId: String(9000 + i),
          idempotencyKey: uniqueName('contract'),
          paymentMethod: 'pm_card_visa',
        });
        made.push(pay.id);
      }
    });
    const it = contractCases(opts.skip);

    it(
      'every-page-once-oldest-first',
      'GIVEN five payments WHEN events are listed two per page THEN every event once, oldest first',
      async () => {
        const ev = await p.listEvents({ since, pageSize: 2 });
        const ids = ev.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        const sorted = [...ev].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
        expect(ids).toEqual(sorted.map((e) => e.id));
        const succeeded = ev.filter((e) => e.type === 'payment_intent.succeeded');
        const paid = succeeded.map(
          (e) => ((e.raw.data as { object: { id: string } }).object as { id: string }).id,
        );
        for (const id of made) expect(paid).toContain(id);
      },
    );

    it('types', 'GIVEN a type filter WHEN listed THEN only that type', async () => {
      const ev = await p.listEvents({ since, types: ['payment_intent.succeeded'] });
      expect(ev.length).toBeGreaterThanOrEqual(5);
      expect(new Set(ev.map((e) => e.type))).toEqual(new Set(['payment_intent.succeeded']));
    });

    it(
      'retention',
      'GIVEN a start beyond the retention WHEN listed THEN OutOfWindowError naming the window',
      async () => {
        const old = Math.floor(Date.now() / 1000) - (p.retentionDays + 1) * 86_400;
        const err = await p.listEvents({ since: old }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OutOfWindowError);
        expect((err as Error).message).toContain(`${p.retentionDays}-day`);
      },
    );

    it('payments', 'GIVEN payments WHEN listed THEN each once with its order id', async () => {
      const ps = (await p.listPayments({ since })).filter((x) => made.includes(x.id));
      expect(ps.map((x) => x.orderId).sort()).toEqual(['9000', '9001', '9002', '9003', '9004']);
      expect(ps.every((x) => x.status === 'succeeded')).toBe(true);
    });

    it(
      'create-idempotent',
      'GIVEN the same idempotency key twice WHEN createPayment THEN one payment',
      async () => {
        const key = uniqueName('idem');
        const args = {
          amountCents: 500,
          currency: 'eur',
          orderId: '9100',
          idempotencyKey: key,
          paymentMethod: 'pm_card_visa',
        };
        const a = await p.createPayment(args);
        const b = await p.createPayment(args);
        expect(b.id).toBe(a.id);
      },
    );
  });
}
