export { PgPaymentLedger } from './pg-payment-ledger.js';
export { DirectWebhookProcessor } from './direct-webhook-processor.js';
