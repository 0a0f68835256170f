import { beforeAll, describe, expect } from 'vitest';
import { DrError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { MailOutbox } from './mail-outbox.js';

/** The cases of the {@link MailOutbox} contract, by id (the keys of a reasoned skip). */
export type MailOutboxCase =
  | 'enqueue-fixes-message-id'
  | 'claim-once'
  | 'record-needs-the-claim'
  | 'in-doubt'
  | 'outcomes'
  | 'shared-slots';

/**
 * The {@link MailOutbox} contract (see `mail-outbox.ts`): a message's Message-ID is fixed at
 * enqueue and kept by every send; of concurrent claims exactly one wins; an outcome is recorded
 * only by the claimer; a claim without an outcome is listed as in doubt; every recorded attempt
 * counts in the outcomes by provider; send slots are shared by every instance. Call it at the top
 * level of a test file.
 */
/** One backend under test. */
export interface MailOutboxWorld {
  readonly outbox: MailOutbox;
  /** Another instance on the same store (another app task): claims race across the two. */
  readonly other: MailOutbox;
}

export function mailOutboxContract(
  backend: string,
  world: () => MailOutboxWorld | Promise<MailOutboxWorld>,
  opts: { readonly skip?: ContractSkips<MailOutboxCase> } = {},
): void {
  describe(`MailOutbox contract: ${backend}`, () => {
    let o: MailOutbox;
    let other: MailOutbox;
    beforeAll(async () => {
      ({ outbox: o, other } = await world());
    });
    const it = contractCases(opts.skip);
    const enqueue = () =>
      o.enqueue({
        critical: true,
        category: 'password-reset',
        mail: {
          from: 'noreply@shop.example.test',
          to: ['a@example.test'],
          subject: 's',
          text: 't',
        },
      });

    it(
      'enqueue-fixes-message-id',
      'GIVEN a message WHEN enqueued THEN it is pending with a Message-ID at the sender domain',
      async () => {
        const m = await enqueue();
        expect(m.status).toBe('pending');
        expect(m.messageId).toMatch(/@shop\.example\.test$/);
        expect(m.mail.messageId).toBe(m.messageId);
        expect((await o.list('pending')).some((x) => x.id === m.id)).toBe(true);
      },
    );

    it(
      'claim-once',
      'GIVEN five concurrent claims of one message from two instances WHEN they race THEN exactly one is claimed',
      async () => {
        const m = await enqueue();
        const keys = [1, 2, 3, 4, 5].map(() => uniqueName('claimer'));
        const got = await Promise.all(
          keys.map((k, i) => (i % 2 ? other : o).claim(m.id, 'pending', 'primary', k)),
        );
        expect(got.filter((g) => g === 'claimed')).toHaveLength(1);
        expect(got.filter((g) => g === 'in-doubt')).toHaveLength(4);
        const winner = keys[got.indexOf('claimed')]!;
        await o.recordSent(m.id, winner, 'provider-id-1');
        expect(await o.claim(m.id, 'failed', 'secondary', uniqueName('late'))).toBe('sent');
      },
    );

    it(
      'record-needs-the-claim',
      'GIVEN a message claimed by A WHEN B records an outcome THEN a CONFLICT DrError, nothing recorded',
      async () => {
        const m = await enqueue();
        const a = uniqueName('a');
        expect(await o.claim(m.id, 'pending', 'primary', a)).toBe('claimed');
        const err = await o.recordSent(m.id, uniqueName('b'), 'x').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DrError);
        expect((err as DrError).code).toBe('CONFLICT');
        expect((await o.claimedBy(a, 'sending')).map((x) => x.id)).toEqual([m.id]);
      },
    );

    it(
      'in-doubt',
      'GIVEN a claim with no outcome WHEN listed by its key THEN it is in doubt; once failed it can be claimed again',
      async () => {
        const m = await enqueue();
        const k = uniqueName('crashed');
        await o.claim(m.id, 'pending', 'primary', k);
        expect((await o.claimedBy(k, 'sending')).map((x) => x.id)).toEqual([m.id]);
        await o.recordFailed(m.id, k, 'temporary', '451 try later');
        const f = (await o.list('failed')).find((x) => x.id === m.id);
        expect(f).toMatchObject({ failure: 'temporary', provider: 'primary', attempts: 1 });
        expect(await o.claim(m.id, 'failed', 'secondary', uniqueName('rb'))).toBe('claimed');
      },
    );

    it(
      'outcomes',
      'GIVEN recorded attempts WHEN outcomes since a time THEN counted by provider',
      async () => {
        const since = new Date(Date.now() - 1000);
        const provider = uniqueName('p');
        for (const ok of [true, false, false]) {
          const m = await enqueue();
          const k = uniqueName('k');
          await o.claim(m.id, 'pending', provider, k);
          if (ok) await o.recordSent(m.id, k, 'id');
          else await o.recordFailed(m.id, k, 'connection', 'refused');
        }
        expect((await o.outcomes(since)).byProvider[provider]).toEqual({ sent: 1, failed: 2 });
      },
    );

    it(
      'shared-slots',
      'GIVEN two instances reserving slots at 600/min WHEN they race THEN every slot is 100 ms after the previous one',
      async () => {
        const provider = uniqueName('slots');
        const got = await Promise.all(
          [o, other, o, other, o, other].map((x) => x.reserveSlot(provider, 600)),
        );
        const ts = got.map((d) => d.getTime()).sort((a, b) => a - b);
        for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBeGreaterThanOrEqual(99);
      },
    );
  });
}
