import { beforeAll, describe, expect } from 'vitest';
import { DrError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import { mailFailureOf, type Mail, type Mailer } from './mailer.js';

/** The cases of the {@link Mailer} contract, by id (the keys of a reasoned skip). */
export type MailerCase =
  'delivers' | 'keeps-message-id' | 'refusal-is-temporary' | 'unreachable-is-connection' | 'plan';

/** A message as the provider holds it, read from the provider (not from the adapter). */
export interface ProviderMessage {
  /** The Message-ID header, without angle brackets (undefined when the provider hides it). */
  readonly messageId: string | undefined;
  readonly subject: string;
  readonly to: readonly string[];
}

/** One backend under test, with what the suite needs from outside the port. */
export interface MailerWorld {
  readonly mailer: Mailer;
  /** A sender the provider accepts. */
  readonly from: string;
  /** Every message the provider accepted, read from the provider itself. */
  delivered(): Promise<ProviderMessage[]>;
  /** Makes the provider refuse mail temporarily (SMTP 451), or heals it with `false`. */
  refuse?(on: boolean): Promise<void>;
  /** A mailer of the same kind whose provider cannot be reached. */
  unreachable?(): Mailer;
}

/**
 * The {@link Mailer} contract (see `mailer.ts`): a sent message reaches the provider with its
 * subject, recipients and, with `message-id`, the caller's Message-ID; a temporary refusal and
 * an unreachable provider are retryable `DrError`s classified `temporary` and `connection`;
 * `planSend` sends nothing and never shows the body. Call it at the top level of a test file.
 */
export function mailerContract(
  backend: string,
  world: () => MailerWorld | Promise<MailerWorld>,
  opts: { readonly skip?: ContractSkips<MailerCase> } = {},
): void {
  describe(`Mailer contract: ${backend}`, () => {
    let w: MailerWorld;
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);
    const mail = (over: Partial<Mail> = {}): Mail => ({
      from: w.from,
      to: ['customer@example.test'],
      subject: uniqueName('contract-subject'),
      text: 'your password reset code is 123456',
      ...over,
    });
    const find = async (subject: string) =>
      (await w.delivered()).filter((m) => m.subject === subject);

    it(
      'delivers',
      'GIVEN a message WHEN send THEN the provider holds it once, with its subject and recipients',
      async () => {
        const m = mail();
        const r = await w.mailer.send(m);
        expect(r.messageId).not.toBe('');
        const got = await find(m.subject);
        expect(got).toHaveLength(1);
        expect(got[0]!.to).toEqual(['customer@example.test']);
      },
    );

    it(
      'keeps-message-id',
      'GIVEN a Message-ID WHEN send THEN the provider holds the message under exactly that id',
      async () => {
        expect(w.mailer.capabilities.has('message-id')).toBe(true);
        const id = `${uniqueName('contract')}@drkit.test`;
        const m = mail({ messageId: id });
        await w.mailer.send(m);
        const got = await find(m.subject);
        expect(got.map((g) => g.messageId)).toEqual([id]);
      },
    );

    it(
      'refusal-is-temporary',
      'GIVEN a provider refusing with 451 WHEN send THEN a retryable DrError classified temporary, nothing held',
      async () => {
        await w.refuse!(true);
        const m = mail();
        try {
          const err = await w.mailer.send(m).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(DrError);
          expect(mailFailureOf(err)).toBe('temporary');
          expect((err as DrError).retryable).toBe(true);
        } finally {
          await w.refuse!(false);
        }
        expect(await find(m.subject)).toHaveLength(0);
      },
    );

    it(
      'unreachable-is-connection',
      'GIVEN a provider that cannot be reached WHEN send THEN a retryable DrError classified connection',
      async () => {
        const err = await w.unreachable!()
          .send(mail())
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(DrError);
        expect(mailFailureOf(err)).toBe('connection');
        expect((err as DrError).retryable).toBe(true);
      },
    );

    it(
      'plan',
      'GIVEN a message WHEN planSend THEN it names sender, recipients and subject, not the body, and sends nothing',
      async () => {
        const m = mail({ text: 'secret-looking body 987654' });
        const lines = w.mailer.planSend(m).join('\n');
        expect(lines).toContain(m.from);
        expect(lines).toContain('customer@example.test');
        expect(lines).toContain(m.subject);
        expect(lines).not.toContain('987654');
        expect(await find(m.subject)).toHaveLength(0);
      },
    );
  });
}
