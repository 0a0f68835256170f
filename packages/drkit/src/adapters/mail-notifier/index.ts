export { MailNotifier } from './mail-notifier.js';
