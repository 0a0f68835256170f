import { beforeAll, describe, expect } from 'vitest';
import { DrError } from '../engine/errors.js';
import { contractCases, uniqueName, type ContractSkips } from '../testing/contract.js';
import type { Notification, Notifier } from './notifier.js';

/** The cases of the {@link Notifier} contract, by id (the keys of a reasoned skip). */
export type NotifierCase = 'delivers' | 'channel-limits' | 'failure-is-a-dr-error' | 'plan';

/** A message as the channel delivered it, read back from the channel (not from the adapter). */
export interface DeliveredMessage {
  /** Everything the channel holds for the message (subject, body, attributes), as text. */
  readonly text: string;
}

/** One backend under test, with what the suite needs from outside the port. */
export interface NotifierWorld {
  readonly notifier: Notifier;
  /** Every message the channel holds, read from the channel itself. */
  delivered(): Promise<DeliveredMessage[]>;
  /** A notifier of the same kind whose channel cannot be reached (a retry could fix it). */
  unreachable?(): Notifier;
}

/**
 * The {@link Notifier} contract (see `notifier.ts`): a notification reaches the channel with
 * its subject, body and severity, whatever the subject holds (the adapter fits it to the
 * channel's limits); a delivery failure a retry could fix is a retryable `DrError`.
 * Call it at the top level of a test file; `world` runs once, in the suite's `beforeAll`.
 */
export function notifierContract(
  backend: string,
  world: () => NotifierWorld | Promise<NotifierWorld>,
  opts: { readonly skip?: ContractSkips<NotifierCase> } = {},
): void {
  describe(`Notifier contract: ${backend}`, () => {
    let w: NotifierWorld;
    beforeAll(async () => {
      w = await world();
    });
    const it = contractCases(opts.skip);
    const find = async (marker: string) =>
      (await w.delivered()).filter((m) => m.text.includes(marker));

    it(
      'delivers',
      'GIVEN a notification WHEN notify THEN the channel holds its subject, body and severity',
      async () => {
        const marker = uniqueName('contract-body');
        const msg: Notification = {
          subject: 'RB-N-03 restore done',
          body: `${marker}: 40 keys restored`,
          severity: 'warning',
        };
        await w.notifier.notify(msg);
        const got = await find(marker);
        expect(got).toHaveLength(1);
        expect(got[0]!.text).toContain('RB-N-03 restore done');
        expect(got[0]!.text).toContain('warning');
      },
    );

    it(
      'channel-limits',
      'GIVEN a long, multi-line, non-ASCII subject WHEN notify THEN delivered (fitted to the channel)',
      async () => {
        const marker = uniqueName('contract-limits');
        await w.notifier.notify({
          subject: `Région B — bascule terminée\n${'x'.repeat(200)}`,
          body: marker,
          severity: 'critical',
        });
        const got = await find(marker);
        expect(got).toHaveLength(1);
        expect(got[0]!.text).toMatch(/R.gion B/);
      },
    );

    it(
      'failure-is-a-dr-error',
      'GIVEN a channel that cannot be reached WHEN notify THEN a retryable DrError',
      async () => {
        if (!w.unreachable)
          throw new Error('this backend gives no unreachable(): skip the case with a reason');
        const err = await w
          .unreachable()
          .notify({ subject: 's', body: 'b', severity: 'info' })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(DrError);
        expect((err as DrError).retryable).toBe(true);
      },
    );

    it(
      'plan',
      'GIVEN a notification WHEN planNotify THEN its subject is named, not its body, and nothing is sent',
      async () => {
        const marker = uniqueName('contract-plan');
        const lines = w.notifier.planNotify({
          subject: `RB-N-01 ${marker} complete`,
          body: `body-${marker}`,
          severity: 'info',
        });
        expect(lines.join('\n')).toContain(`RB-N-01 ${marker} complete`);
        expect(lines.join('\n')).not.toContain(`body-${marker}`);
        expect(await find(marker)).toEqual([]);
      },
    );
  });
}
