/**
 * The notifier port: tells people what a runbook did (SNS, a webhook, a log file in the lab).
 * Contract: `notify` never throws for a delivery failure that a retry would fix without first
 * raising a retryable `DrError`; messages never contain secrets.
 */
export interface Notifier {
  readonly kind: string;
  notify(msg: Notification): Promise<void>;
  /**
   * What `notify(msg)` would send and where, one line each (for `--dry-run`): the exact call,
   * with the subject; never the body. Reads and sends nothing.
   */
  planNotify(msg: Notification): string[];
}

export interface Notification {
  readonly subject: string;
  readonly body: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly at?: Date;
}
