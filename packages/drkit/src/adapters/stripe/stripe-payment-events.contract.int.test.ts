import { afterAll } from 'vitest';
import { startLocalstripe, type LocalstripeServer } from '../../lab/localstripe-server.js';
import { paymentEventsContract } from '../../ports/payment-events.contract.js';
import { StripePaymentEvents } from './stripe-payment-events.js';

let ls: LocalstripeServer | undefined;
afterAll(async () => {
  await ls?.stop();
});

paymentEventsContract(
  'localstripe',
  async () => {
    ls = await startLocalstripe();
    return new StripePaymentEvents({
      apiKey: 'sk_test_lab',
      apiBase: ls.url,
      flavour: 'localstripe',
    });
  },
  {
    skip: {
      'create-idempotent':
        'localstripe ignores Idempotency-Key (every POST creates a new PaymentIntent); Stripe honours it',
    },
  },
);
