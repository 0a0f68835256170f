import { DrError, PreconditionError } from '../../engine/errors.js';
import type { Notification, Notifier } from '../../ports/notifier.js';

/** Options of {@link WebhookNotifier}. */
export interface WebhookNotifierOptions {
  /** The endpoint (a Slack incoming webhook, or anything taking Slack's JSON). */
  readonly url: string;
  /** How the URL is named in plans and errors (it may hold a secret). @default its origin */
  readonly label?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * The notifier port on a generic webhook: one HTTP POST per message with Slack-compatible JSON
 * (`text` in Slack's mrkdwn, plus one attachment coloured by severity). The URL is never
 * printed: Slack's carries its secret in the path.
 */
export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook';
  private readonly label: string;

  constructor(private readonly opts: WebhookNotifierOptions) {
    this.label = opts.label ?? new URL(opts.url).origin;
  }

  planNotify(msg: Notification): string[] {
    return [`POST ${this.label} (Slack-compatible JSON) "[${msg.severity}] ${msg.subject}"`];
  }

  async notify(msg: Notification): Promise<void> {
    const payload = slackPayload(msg);
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new DrError(
        'EXTERNAL',
        `webhook ${this.label} could not be reached: ${(err as Error).message}`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return;
    const what = `webhook ${this.label} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (res.status === 429 || res.status >= 500)
      throw new DrError(res.status === 429 ? 'THROTTLED' : 'EXTERNAL', what, { retryable: true });
    throw new PreconditionError(what, {
      hint: 'check the webhook URL (the variable incidents.channels.<name>.urlEnv names)',
    });
  }
}

/** The Slack-compatible body of a message. */
export function slackPayload(msg: Notification): {
  text: string;
  attachments: Array<{
    color: string;
    title: string;
    text: string;
    fields: Array<{ title: string; value: string; short: boolean }>;
    ts: number;
  }>;
} {
  const at = msg.at ?? new Date();
  return {
    text: `*${msg.subject}*`,
    attachments: [
      {
        color: { critical: '#d00000', warning: '#e8a200', info: '#2eb67d' }[msg.severity],
        title: msg.subject,
        text: msg.body,
        fields: [{ title: 'severity', value: msg.severity, short: true }],
        ts: Math.floor(at.getTime() / 1000),
      },
    ],
  };
}
