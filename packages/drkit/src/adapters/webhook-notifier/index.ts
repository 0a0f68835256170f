export { WebhookNotifier, slackPayload, type WebhookNotifierOptions } from './webhook-notifier.js';
