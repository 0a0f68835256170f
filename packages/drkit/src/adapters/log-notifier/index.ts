export { LogNotifier } from './log-notifier.js';
