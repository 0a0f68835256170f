export { PgMailOutbox, type PgMailOutboxOptions } from './pg-mail-outbox.js';
export { MAIL_OUTBOX_SQL } from './schema.js';
