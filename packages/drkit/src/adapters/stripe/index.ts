export {
  StripePaymentEvents,
  translateStripeError,
  type StripePaymentEventsOptions,
} from './stripe-payment-events.js';
export { HttpWebhookEndpoint, type HttpWebhookEndpointOptions } from './http-webhook-endpoint.js';
