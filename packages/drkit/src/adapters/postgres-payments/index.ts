export { PgPaymentLedger } from './pg-payment-ledger.js';
