import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeMock, type StripeMockServer } from '../../lab/stripe-mock-server.js';
import { StripePaymentEvents } from './stripe-payment-events.js';

/**
 * The production adapter's requests (the `stripe` flavour: `delivery_success`, `types[]`,
 * `created[gte]` on payment intents, `automatic_payment_methods`) against stripe-mock, which
 * answers 400 to any parameter Stripe's OpenAPI spec does not accept. Flows are localstripe's.
 */
let mock: StripeMockServer;
let stripe: StripePaymentEvents;
beforeAll(async () => {
  mock = await startStripeMock();
  stripe = new StripePaymentEvents({ apiKey: 'sk_test_123', apiBase: mock.url });
});
afterAll(async () => {
  await mock?.stop();
});

describe('StripePaymentEvents request shapes on stripe-mock', () => {
  const since = Math.floor(Date.now() / 1000) - 3600;

  it('GIVEN the stripe flavour WHEN listing undelivered events of two types THEN Stripe accepts every parameter', async () => {
    expect(stripe.capabilities.has('delivery-status')).toBe(true);
    const ev = await stripe.listEvents({
      since,
      until: since + 60,
      undeliveredOnly: true,
      pageSize: 100,
      types: ['payment_intent.succeeded', 'payment_intent.payment_failed'],
    });
    expect(Array.isArray(ev)).toBe(true);
    expect(stripe.planListEvents({ since, undeliveredOnly: true }).join('\n')).toContain(
      'delivery_success=false',
    );
  });

  it('GIVEN the stripe flavour WHEN listing payments since a time and creating one THEN Stripe accepts the shapes', async () => {
    await stripe.listPayments({ since });
    const p = await stripe.createPayment({
      amountCents: 1500,
      currency: 'eur',
      orderId: '42',
      idempotencyKey: 'order-42',
      paymentMethod: 'pm_card_visa',
    });
    expect(p.id).toMatch(/^pi_/);
  });

  it('GIVEN a parameter Stripe does not know WHEN sent THEN stripe-mock answers 400 (so the passes above mean something)', async () => {
    const r = await fetch(`${mock.url}/v1/events?no_such_param=1`, {
      headers: { authorization: 'Bearer sk_test_123' },
    });
    expect(r.status).toBe(400);
  });
});
